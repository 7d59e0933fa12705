from pkg.api import checkPath


def test_legacy():
    from pkg.scripts import legacy as script
    assert script.checkPath is checkPath

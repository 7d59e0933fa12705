from pkg.api import check_path


def test_legacy():
    from pkg.scripts import legacy as script
    assert script.check_path is check_path

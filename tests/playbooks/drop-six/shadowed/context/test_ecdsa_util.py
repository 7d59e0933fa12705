from ecdsa_util import trytryagain


def test_trytryagain():
    assert trytryagain(5, iter([255])) == b"0707"

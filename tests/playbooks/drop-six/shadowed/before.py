import binascii
from six import PY2, int2byte, b, next


def bits_and_bytes(order):
    return 8, 1, 3


def trytryagain(order, generator):
    bits, bytes, extrabits = bits_and_bytes(order)
    extrabyte = b("")
    if extrabits:
        extrabyte = int2byte(next(generator) & 7)
    if PY2:
        return "".join([extrabyte, int2byte(7)])
    return binascii.hexlify(extrabyte + int2byte(7))

import binascii


def bits_and_bytes(order):
    return 8, 1, 3


def trytryagain(order, generator):
    bits, bytes, extrabits = bits_and_bytes(order)
    extrabyte = "".encode("latin-1")
    if extrabits:
        extrabyte = (next(generator) & 7).to_bytes(1, "big")
    return binascii.hexlify(extrabyte + (7).to_bytes(1, "big"))

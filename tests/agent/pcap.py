"""A minimal reader of classic pcap files (microsecond or nanosecond), enough for the tests."""

import struct


def read(path):
    """[(timestamp, bytes, orig_len)] of every record."""
    data = open(path, "rb").read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    else:
        e = ">"
        magic = struct.unpack(">I", data[:4])[0]
    scale = 1e-9 if magic == 0xA1B23C4D else 1e-6
    out, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        out.append((sec + frac * scale, data[off:off + incl], orig))
        off += incl
    return out

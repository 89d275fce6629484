#!/usr/bin/env python3
"""Standard-library .npy helper for tests/scripts/test_cli.sh (numpy may be
absent), written from the format description in numpy/lib/format.py.

    cli_npy.py write OUT.npy DESCR D0 D1 ...   # values 0, 1, 2, ... (arange)
    cli_npy.py check FILE.npy DESCR D0 D1 ... [-- V0 V1 ...]
        exits 0 if FILE has that dtype and shape (and, if given, those
        values within 1e-5), else prints why and exits 1.
    cli_npy.py show FILE.npy                   # "descr shape values..."
"""
import ast
import struct
import sys

FORMATS = {"<f4": "f", "<f8": "d", "<i4": "i", "<i8": "q", "|u1": "B",
           "|i1": "b", "|b1": "?", "<i2": "h", "<u2": "H", "<f2": "e"}


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        raise ValueError("bad magic")
    major = data[6]
    if major == 1:
        (hlen,), start = struct.unpack_from("<H", data, 8), 10
    else:
        (hlen,), start = struct.unpack_from("<I", data, 8), 12
    if (start + hlen) % 64:
        raise ValueError("header not padded to 64 bytes")
    header = data[start:start + hlen].decode("latin1")
    if not header.endswith("\n"):
        raise ValueError("header does not end with a newline")
    d = ast.literal_eval(header)
    if set(d) != {"descr", "fortran_order", "shape"} or d["fortran_order"]:
        raise ValueError("bad header keys %r" % d)
    fmt = FORMATS[d["descr"]]
    count = 1
    for n in d["shape"]:
        count *= n
    body = data[start + hlen:]
    if len(body) != count * struct.calcsize(fmt):
        raise ValueError("data is %d bytes for %d elements" % (len(body), count))
    return d["descr"], tuple(d["shape"]), struct.unpack("<%d%s" % (count, fmt), body)


def write(path, descr, shape):
    count = 1
    for n in shape:
        count *= n
    fmt = FORMATS[descr]
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, "".join("%d, " % n for n in shape).rstrip(" ") if len(shape) == 1
        else ", ".join(str(n) for n in shape))
    total = (10 + len(header) + 1 + 63) // 64 * 64
    header = header.ljust(total - 10 - 1) + "\n"
    values = [(i % 2 == 1) if fmt == "?" else i for i in range(count)]
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) +
                header.encode("latin1") + struct.pack("<%d%s" % (count, fmt), *values))


def main(argv):
    if len(argv) >= 4 and argv[1] == "write":
        write(argv[2], argv[3], [int(x) for x in argv[4:]])
        return 0
    if len(argv) == 3 and argv[1] == "show":
        descr, shape, values = read(argv[2])
        print(descr, list(shape), " ".join("%.6g" % v for v in values))
        return 0
    if len(argv) >= 4 and argv[1] == "check":
        rest = argv[4:]
        want_values = None
        if "--" in rest:
            i = rest.index("--")
            rest, want_values = rest[:i], [float(v) for v in rest[i + 1:]]
        want_shape = tuple(int(x) for x in rest)
        try:
            descr, shape, values = read(argv[2])
        except (OSError, ValueError, KeyError, SyntaxError) as e:
            print("%s: %s" % (argv[2], e))
            return 1
        if descr != argv[3] or shape != want_shape:
            print("%s: got %s %s, want %s %s" % (argv[2], descr, shape,
                                                 argv[3], want_shape))
            return 1
        if want_values is not None:
            if len(values) != len(want_values) or any(
                    abs(a - b) > 1e-5 * max(1, abs(b))
                    for a, b in zip(values, want_values)):
                print("%s: values %s, want %s" % (argv[2], values, want_values))
                return 1
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Writes small .tflite models for tests/scripts/test_cli.sh, with nothing
but the Python standard library (no TensorFlow, no flatbuffers package), so
the CLI tests run anywhere and exercise the reader on a file written by an
independent FlatBuffer writer.

    cli_make_model.py mean   OUT.tflite  # MEAN over H,W: [1,2,2,3] -> [1,3]
                                         # + metadata (normalization 127.5),
                                         # a signature, a quantized tensor
    cli_make_model.py add    OUT.tflite  # ADD of inputs "a" and "b", [1,4]
    cli_make_model.py reshape OUT.tflite # RESHAPE [1,2,1,3] -> [1,6]
    cli_make_model.py reshape_i8|reshape_u8 OUT.tflite  # same, quantized
    cli_make_model.py custom OUT.tflite  # one unknown CUSTOM op
    cli_make_model.py rows   OUT.{png,bmp[:BITS[:top]]} "r,g,b;r,g,b"
                                         # 1-wide image, one color per row
    cli_make_model.py image  OUT.{png,bmp} W H R G B [BITS [top]]
                                         # solid-color image; BMP with 8,
                                         # 24 (default) or 32 bits/pixel,
                                         # "top" = top-down rows
    cli_make_model.py jpeg   OUT.jpg     # 8x8 JPEG of color (255, 0, 128)

Field slots follow tensorflow/compiler/mlir/lite/schema/schema.fbs and
tflite-support's metadata_schema.fbs.
"""
import base64
import struct
import sys
import zlib

# An 8x8 baseline JPEG of the solid color (255, 0, 128), quality 90, made
# once with Pillow; the standard library cannot encode JPEG.
JPEG_8X8 = (
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoM"
    "DAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsN"
    "FBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBT/wAAR"
    "CAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAf/xAAUEAEAAAAAAAAAAAAA"
    "AAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABgn/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oA"
    "DAMBAAIRAxEAPwCOAHCnD//Z")


class Builder:
    """Front-to-back FlatBuffer writer: a table is written, then the
    objects it references are appended after it and its offset fields are
    patched (uoffsets must point forward)."""

    def __init__(self, ident):
        self.buf = bytearray(8)
        self.buf[4:8] = ident.encode()

    def align(self, n, extra=0):
        while (len(self.buf) + extra) % n:
            self.buf.append(0)

    def patch_uoffset(self, at, target):
        struct.pack_into("<I", self.buf, at, target - at)

    def finish(self, root):
        pos = self.write(root)
        struct.pack_into("<I", self.buf, 0, pos)
        return bytes(self.buf)

    # Values: ("u8"|"i8"|"bool"|"i32"|"u32"|"f32", v), ("str", s),
    # ("vi32"|"vu32"|"vf32"|"vi64", list), ("vu8", bytes),
    # ("vtab", [table]), ("tab", table); a table is a list of values by
    # slot, None for an absent field.
    SCALAR = {"u8": "<B", "i8": "<b", "bool": "<B", "i32": "<i", "u32": "<I",
              "f32": "<f"}

    def write(self, value):
        kind, v = value
        if kind == "tab":
            return self.write_table(v)
        if kind == "str":
            self.align(4)
            pos = len(self.buf)
            data = v.encode()
            self.buf += struct.pack("<I", len(data)) + data + b"\0"
            return pos
        if kind == "vtab":
            self.align(4)
            pos = len(self.buf)
            self.buf += struct.pack("<I", len(v)) + bytes(4 * len(v))
            for i, t in enumerate(v):
                self.patch_uoffset(pos + 4 + 4 * i, self.write_table(t))
            return pos
        fmt = {"vi32": "<i", "vu32": "<I", "vf32": "<f", "vi64": "<q",
               "vu8": "<B"}[kind]
        size = struct.calcsize(fmt)
        self.align(max(size, 4), 4)  # elements aligned after the count
        pos = len(self.buf)
        self.buf += struct.pack("<I", len(v))
        for x in v:
            self.buf += struct.pack(fmt, x)
        return pos

    def write_table(self, fields):
        # Inline layout: soffset, then fields in slot order, each aligned.
        layout, size = [], 4
        for f in fields:
            if f is None:
                layout.append(None)
                continue
            w = struct.calcsize(self.SCALAR[f[0]]) if f[0] in self.SCALAR else 4
            size = (size + w - 1) // w * w
            layout.append(size)
            size += w
        size = (size + 3) // 4 * 4
        self.align(4)
        vt = len(self.buf)
        n = len(fields)
        self.buf += struct.pack("<HH", 4 + 2 * n, size)
        for off in layout:
            self.buf += struct.pack("<H", off or 0)
        self.align(4)
        table = len(self.buf)
        self.buf += bytes(size)
        struct.pack_into("<i", self.buf, table, table - vt)
        refs = []
        for f, off in zip(fields, layout):
            if f is None:
                continue
            if f[0] in self.SCALAR:
                struct.pack_into(self.SCALAR[f[0]], self.buf, table + off, f[1])
            else:
                refs.append((table + off, f))
        for at, f in refs:
            self.patch_uoffset(at, self.write(f))
        return table


def tensor(name, shape, ttype=0, buffer=0, quant=None, sig=None):
    # Tensor: shape, type, buffer, name, quantization, is_variable,
    # sparsity, shape_signature
    return ("tab", [("vi32", shape), ("i8", ttype), ("u32", buffer),
                    ("str", name), quant, None, None,
                    ("vi32", sig) if sig else None])


def buffer(data=b""):
    return ("tab", [("vu8", data)] if data else [])


def opcode(code):
    # OperatorCode: deprecated_builtin_code, custom_code, version,
    # builtin_code
    return ("tab", [("i8", min(code, 127)), None, ("i32", 1), ("i32", code)])


def op(index, inputs, outputs, opt_type=0, options=None):
    # Operator: opcode_index, inputs, outputs, builtin_options_type,
    # builtin_options
    return ("tab", [("u32", index), ("vi32", inputs), ("vi32", outputs),
                    ("u8", opt_type) if opt_type else None,
                    ("tab", options) if options is not None else None])


def normalization_metadata(mean, std):
    """ModelMetadata with NormalizationOptions on input 0 of subgraph 0."""
    norm = [("vf32", mean), ("vf32", std)]            # NormalizationOptions
    unit = [("u8", 1), ("tab", norm)]                 # ProcessUnit
    tmeta = [("str", "image"), None, None, None, ("vtab", [unit])]
    sg = [None, None, ("vtab", [tmeta])]               # SubGraphMetadata
    model = [("str", "cli test"), None, None, ("vtab", [sg])]
    return Builder("M001").finish(("tab", model))


def mean_model():
    axes = struct.pack("<2i", 1, 2)
    meta = normalization_metadata([127.5], [127.5])
    # A quantized constant nobody reads: inspect must show its scale and
    # count it under int8 constants.
    q = ("tab", [None, None, ("vf32", [0.5]), ("vi64", [3])])
    tensors = [tensor("image", [1, 2, 2, 3], sig=[-1, 2, 2, 3]),
               tensor("axes", [2], ttype=2, buffer=1),
               tensor("scores", [1, 3]),
               tensor("spare_q", [4], ttype=9, buffer=3, quant=q)]
    # SignatureDef: inputs, outputs, signature_key, (deprecated), subgraph
    sig = [("vtab", [[("str", "image"), ("u32", 0)]]),
           ("vtab", [[("str", "scores"), ("u32", 2)]]),
           ("str", "serving_default"), None, ("u32", 0)]
    sub = [("vtab", [t[1] for t in tensors]), ("vi32", [0]), ("vi32", [2]),
           ("vtab", [op(0, [0, 1], [2], 27, [("bool", 0)])[1]]),
           ("str", "main")]
    # Model: version, operator_codes, subgraphs, description, buffers,
    # metadata_buffer, metadata, signature_defs
    model = [("u32", 3), ("vtab", [opcode(40)[1]]), ("vtab", [sub]),
             ("str", "pocketnn cli test: \"mean\" \\ model \u00e9"),
             ("vtab", [[], [("vu8", axes)], [("vu8", meta)],
                       [("vu8", bytes([1, 2, 3, 4]))]]),
             None,
             ("vtab", [[("str", "TFLITE_METADATA"), ("u32", 2)]]),
             ("vtab", [sig])]
    return Builder("TFL3").finish(("tab", model))


def add_model():
    tensors = [tensor("a", [1, 4]), tensor("b", [1, 4]), tensor("sum", [1, 4])]
    sub = [("vtab", [t[1] for t in tensors]), ("vi32", [0, 1]), ("vi32", [2]),
           ("vtab", [op(0, [0, 1], [2], 11, [("i8", 0)])[1]]),
           ("str", "main")]
    model = [("u32", 3), ("vtab", [opcode(0)[1]]), ("vtab", [sub]),
             ("str", "add"), ("vtab", [[]])]
    return Builder("TFL3").finish(("tab", model))


def reshape_model(ttype=0):
    """RESHAPE [1, 2, 1, 3] -> [1, 6]: the scores are the pixels, so the
    order of the top labels shows the decoded row order and channels.
    ttype 9 (int8) / 3 (uint8): quantized with scale 1/255 and zero point
    -128 / 0, so the dequantized scores are pixel / 255."""
    shape = struct.pack("<2i", 1, 6)
    q = None
    if ttype:
        q = ("tab", [None, None, ("vf32", [1 / 255]),
                     ("vi64", [-128 if ttype == 9 else 0])])
    tensors = [tensor("pixels", [1, 2, 1, 3], ttype=ttype, quant=q),
               tensor("shape", [2], ttype=2, buffer=1),
               tensor("flat", [1, 6], ttype=ttype, quant=q)]
    sub = [("vtab", [t[1] for t in tensors]), ("vi32", [0]), ("vi32", [2]),
           ("vtab", [op(0, [0, 1], [2], 17, [("vi32", [1, 6])])[1]]),
           ("str", "main")]
    model = [("u32", 3), ("vtab", [opcode(22)[1]]), ("vtab", [sub]),
             ("str", "reshape"), ("vtab", [[], [("vu8", shape)]])]
    return Builder("TFL3").finish(("tab", model))


def custom_model():
    """One CUSTOM op "MyCustomOp" (no runtime has it) with 5 bytes of
    custom options, so prepare fails while inspect still succeeds."""
    tensors = [tensor("in", [1, 2]), tensor("out", [1, 2])]
    code = ("tab", [("i8", 32), ("str", "MyCustomOp"), ("i32", 2),
                    ("i32", 32)])
    oper = [("u32", 0), ("vi32", [0]), ("vi32", [1]), None, None,
            ("vu8", b"\x01\x02\x03\x04\x05")]
    sub = [("vtab", [t[1] for t in tensors]), ("vi32", [0]), ("vi32", [1]),
           ("vtab", [oper]), ("str", "main")]
    model = [("u32", 3), ("vtab", [code[1]]), ("vtab", [sub]),
             ("str", "custom"), ("vtab", [[]])]
    return Builder("TFL3").finish(("tab", model))


def png(w, h, rgb, rows=None):
    rows = rows or [rgb] * h
    raw = b"".join(b"\0" + bytes(c) * w for c in rows)

    def chunk(tag, data):
        c = tag + data
        return struct.pack(">I", len(data)) + c + struct.pack(
            ">I", zlib.crc32(c) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def bmp(w, h, rgb, bits=24, top_down=False, rows=None):
    """Uncompressed BMP: 24-bit BGR, 32-bit BGRA, or 8-bit with a palette
    whose entry 1 is the color (entry 0 black, unused)."""
    bpp = bits // 8
    stride = (w * bits + 31) // 32 * 4
    rows = rows or [rgb] * h  # top to bottom
    palette = b""
    if bits == 8:
        for c in rows:
            palette += bytes(c[::-1]) + b"\0"
    out_rows = []
    for y, c in enumerate(rows):
        if bits == 8:
            pixel = bytes([y])
        else:
            pixel = bytes(c[::-1]) + (b"\xff" if bpp == 4 else b"")
        row = pixel * w
        out_rows.append(row + bytes(stride - len(row)))
    pixels = b"".join(out_rows if top_down else out_rows[::-1])
    off = 54 + len(palette)
    header = struct.pack("<2sIHHI", b"BM", off + len(pixels), 0, 0, off)
    dib = struct.pack("<IiiHHIIiiII", 40, w, -h if top_down else h, 1, bits,
                      0, len(pixels), 2835, 2835, len(rows) if bits == 8 else 0, 0)
    return header + dib + palette + pixels


def main(argv):
    models = {"mean": mean_model, "add": add_model, "reshape": reshape_model,
              "reshape_i8": lambda: reshape_model(9),
              "reshape_u8": lambda: reshape_model(3), "custom": custom_model}
    if len(argv) >= 3 and argv[1] in models:
        data = models[argv[1]]()
    elif len(argv) == 4 and argv[1] == "rows":
        # 1-pixel-wide image whose rows (top first) have the colors of the
        # comma-separated list "r,g,b;r,g,b;..."; OUT.bmp may end in
        # :BITS or :BITS:top, e.g. x.bmp:8:top.
        rows = [tuple(int(v) for v in c.split(",")) for c in argv[3].split(";")]
        path, *opts = argv[2].split(":")
        argv[2] = path
        if path.endswith(".bmp"):
            data = bmp(1, len(rows), rows[0], int(opts[0]) if opts else 24,
                       len(opts) > 1 and opts[1] == "top", rows)
        else:
            data = png(1, len(rows), rows[0], rows)
    elif len(argv) == 3 and argv[1] == "jpeg":
        data = base64.b64decode(JPEG_8X8)
    elif len(argv) in (8, 9, 10) and argv[1] == "image":
        w, h, r, g, b = (int(x) for x in argv[3:8])
        if argv[2].endswith(".bmp"):
            bits = int(argv[8]) if len(argv) > 8 else 24
            data = bmp(w, h, (r, g, b), bits, len(argv) > 9 and argv[9] == "top")
        else:
            data = png(w, h, (r, g, b))
    else:
        sys.exit(__doc__)
    with open(argv[2], "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main(sys.argv)

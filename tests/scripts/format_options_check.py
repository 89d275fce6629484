"""Cross-checks pocketnn's reader against TensorFlow's generated Python
FlatBuffer reader (tensorflow/lite/python/schema_py_generated.py).

For each model, runs the C dump (format_options_dump.c) and rebuilds the
same lines from the object API (ModelT): model counts, buffer sizes, every
tensor (name, type, buffer, shape, shape_signature, quantization,
sparsity), every op (opcode, inputs, outputs, custom options size) and
every builtin options table field by field. Prints one line per model and
"N passed, N failed"."""
import argparse
import re
import subprocess
import sys

from tensorflow.lite.python import schema_py_generated as S


def snake(name):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def ints(v):
    if v is None:
        return []
    return [int(x) for x in (v.tolist() if hasattr(v, "tolist") else v)]


def vec(name, v):
    return " %s=[%s]" % (name, ",".join(str(x) for x in ints(v)))


def g9(x):
    return "%.9g" % x


def index_vector(v):
    return [] if v is None else ints(v.values)


def expected(buf):
    m = S.ModelT.InitFromPackedBuf(buf, 0)
    subgraphs = m.subgraphs or []
    out = ["M version=%d subgraphs=%d buffers=%d opcodes=%d metadata=%d "
           "signatures=%d" % (m.version, len(subgraphs), len(m.buffers or []),
                              len(m.operatorCodes or []),
                              len(m.metadata or []),
                              len(m.signatureDefs or []))]
    for i, b in enumerate(m.buffers or []):
        size = b.size if b.offset > 1 else len(ints(b.data))
        out.append("B %d size=%d" % (i, size))
    for i, md in enumerate(m.metadata or []):
        out.append("D %d name=%s buffer=%d" % (i, (md.name or b"").decode(),
                                               md.buffer))
    for i, sd in enumerate(m.signatureDefs or []):
        line = "S %d key=%s subgraph=%d" % (
            i, (sd.signatureKey or b"").decode(), sd.subgraphIndex)
        for kind, maps in (("in", sd.inputs), ("out", sd.outputs)):
            for tm in maps or []:
                line += " %s:%s=%d" % (kind, (tm.name or b"").decode(),
                                       tm.tensorIndex)
        out.append(line)
    options = {}
    for s, g in enumerate(subgraphs):
        out.append("G %d name=%s" % (s, (g.name or b"").decode()) +
                   vec("in", g.inputs) + vec("out", g.outputs))
        for i, t in enumerate(g.tensors or []):
            line = "T %d %d name=%s type=%d buffer=%d var=%d has_rank=%d" % (
                s, i, (t.name or b"").decode(), t.type, t.buffer,
                int(t.isVariable), int(t.hasRank))
            line += vec("shape", t.shape)
            if t.shapeSignature is not None:
                line += vec("sig", t.shapeSignature)
            q = t.quantization
            if q is not None:
                line += " qdim=%d scale=[%s] zp=[%s]" % (
                    q.quantizedDimension,
                    ",".join(g9(x) for x in (q.scale if q.scale is not None else [])),
                    ",".join(str(x) for x in ints(q.zeroPoint)))
            sp = t.sparsity
            if sp is not None:
                line += vec("order", sp.traversalOrder)
                line += vec("block_map", sp.blockMap)
                for k, dm in enumerate(sp.dimMetadata or []):
                    line += " dm%d=%d/%d" % (k, dm.format, dm.denseSize)
                    line += vec("seg", index_vector(dm.arraySegments))
                    line += vec("idx", index_vector(dm.arrayIndices))
            out.append(line)
        for i, op in enumerate(g.operators or []):
            oc = m.operatorCodes[op.opcodeIndex]
            code = max(oc.deprecatedBuiltinCode, oc.builtinCode)
            custom = oc.customCode.decode() if oc.customCode else "-"
            if op.largeCustomOptionsOffset > 1:
                csize = op.largeCustomOptionsSize
            else:
                csize = len(ints(op.customOptions))
            line = "O %d %d code=%d version=%d custom=%s" % (
                s, i, code, oc.version, custom)
            line += vec("in", op.inputs) + vec("out", op.outputs)
            line += " custom_size=%d" % csize
            out.append(line)
            for set_no, opt in ((1, op.builtinOptions), (2, op.builtinOptions2)):
                if opt is not None:
                    options[(s, i, set_no)] = opt
    return out, options


def parse_value(text):
    if text.startswith("["):
        return [int(x) for x in text[1:-1].split(",") if x]
    return text


def same(py, c):
    if isinstance(py, bool):
        return c == str(int(py))
    if isinstance(py, float):
        return c == g9(py)
    if isinstance(py, (int,)):
        return c == str(py)
    if isinstance(py, bytes):
        return c == py.decode()
    if py is None:
        return c == [] or c == ""
    if hasattr(py, "tolist") or isinstance(py, list):
        return c == ints(py)
    return False


def check_model(dump, path):
    buf = open(path, "rb").read()
    want, opts = expected(buf)
    got = subprocess.run([dump, path], capture_output=True, text=True,
                         check=False).stdout.splitlines()
    plain = [l for l in got if not l.startswith("P ")]
    problems = []
    for k, (a, b) in enumerate(zip(want, plain)):
        if a != b:
            problems.append("line %d:\n  python: %s\n  pnn:    %s" % (k, a, b))
            break
    if len(want) != len(plain):
        problems.append("%d lines from python, %d from pnn" % (len(want), len(plain)))
    seen = set()
    fields = 0
    for line in got:
        if not line.startswith("P "):
            continue
        parts = line.split(" ")
        key = (int(parts[1]), int(parts[2]), int(parts[3]))
        seen.add(key)
        py = opts.get(key)
        if py is None:
            problems.append("op %s: options only in pnn" % (key,))
            continue
        pyf = {snake(k): v for k, v in vars(py).items()}
        for kv in parts[5:]:
            name, _, val = kv.partition("=")
            if name not in pyf:
                continue  # deprecated fields the object API leaves out
            fields += 1
            if not same(pyf[name], parse_value(val)):
                problems.append("op %s %s.%s: python %r, pnn %s" % (
                    key, parts[4], name, pyf[name], val))
    for key in opts:
        if key not in seen:
            problems.append("op %s: options only in python" % (key,))
    return problems, len(want), fields


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", required=True)
    ap.add_argument("models", nargs="+")
    args = ap.parse_args()
    passed = failed = 0
    for path in args.models:
        problems, lines, fields = check_model(args.dump, path)
        name = path.split("/")[-1]
        if problems:
            failed += 1
            print("FAIL %s" % name)
            for p in problems[:5]:
                print("  " + p)
        else:
            passed += 1
            print("ok   %s (%d tensors/ops/buffers, %d option fields)" % (
                name, lines, fields))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Which integer types LiteRT's reference kernels accept per elementwise op,
and whether pocketnn agrees with them there.

For each (op, type) it builds a one-op model with the flatbuffer schema
(no converter: the TF converter only makes the types its quantizer knows),
seeded random inputs (positive for SQRT / RSQRT / LOG, divisors away from
their zero point), and runs LiteRT BUILTIN_REF and `pocketnn run --raw`.
Prints one row per (op, type): LiteRT accepts / refuses (its message),
pocketnn runs / refuses, and the number of output elements that differ.

    probe_types.py [--ops DIV,SQUARED_DIFFERENCE] [--types int8,uint8,int16]
        [--pocketnn build/pocketnn]

Exit status 1 when both run an op and the outputs differ. A tool for
checking claims (issue 6), not part of the test suite.
"""
import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import default_pocketnn, quiet_tensorflow, run_pocketnn  # noqa: E402

quiet_tensorflow()
import numpy as np  # noqa: E402

BINARY = ["ADD", "SUB", "MUL", "DIV", "SQUARED_DIFFERENCE", "MAXIMUM", "MINIMUM",
          "POW", "FLOOR_DIV", "FLOOR_MOD"]
UNARY = ["ABS", "NEG", "RSQRT", "SQRT", "EXP", "LOG", "SIN", "COS", "SQUARE",
         "FLOOR", "CEIL", "ROUND", "SIGN"]
POSITIVE = {"RSQRT", "SQRT", "LOG"}
OPTIONS = {"ADD": "Add", "SUB": "Sub", "MUL": "Mul", "DIV": "Div",
           "SQUARED_DIFFERENCE": "SquaredDifference", "MAXIMUM": "MaximumMinimum",
           "MINIMUM": "MaximumMinimum", "POW": "Pow", "FLOOR_DIV": "FloorDiv",
           "FLOOR_MOD": "FloorMod", "NEG": "Neg", "EXP": "Exp", "SQUARE": "Square"}
TYPES = {"int8": (9, np.int8, 3), "uint8": (3, np.uint8, 128), "int16": (7, np.int16, 0)}
SHAPES = ([4, 8], [8])  # input 1 broadcasts along the rows


def build(op, type_name):
    """A one-op model: inputs scaled 0.05 (zero point per type), output 0.1."""
    import flatbuffers
    from tensorflow.lite.python import schema_py_generated as S
    code_t, _, zp = TYPES[type_name]
    m = S.ModelT()
    m.version = 3
    oc = S.OperatorCodeT()
    oc.builtinCode = getattr(S.BuiltinOperator, op)
    oc.deprecatedBuiltinCode = min(oc.builtinCode, 127)
    oc.version = 1
    m.operatorCodes = [oc]
    m.buffers = [S.BufferT()]
    n_in = 1 if op in UNARY else 2
    tensors = []
    for i in range(n_in + 1):
        t = S.TensorT()
        t.shape = SHAPES[1] if i == 1 else SHAPES[0]
        t.type = code_t
        t.name = (f"input_{i}" if i < n_in else "output").encode()
        t.buffer = 0
        q = S.QuantizationParametersT()
        q.scale = [0.05 if i < n_in else 0.1]
        q.zeroPoint = [zp]
        t.quantization = q
        tensors.append(t)
    o = S.OperatorT()
    o.opcodeIndex = 0
    o.inputs = list(range(n_in))
    o.outputs = [n_in]
    if op in OPTIONS:
        o.builtinOptionsType = getattr(S.BuiltinOptions, OPTIONS[op] + "Options")
        o.builtinOptions = getattr(S, OPTIONS[op] + "OptionsT")()
    sg = S.SubGraphT()
    sg.tensors = tensors
    sg.inputs = list(range(n_in))
    sg.outputs = [n_in]
    sg.operators = [o]
    m.subgraphs = [sg]
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output()), n_in


def inputs_for(op, type_name, n_in, seed):
    _, dt, zp = TYPES[type_name]
    info = np.iinfo(dt)
    rng = np.random.default_rng(seed)
    lo, hi = max(int(info.min), zp - 100), min(int(info.max), zp + 100)
    xs = []
    for i in range(n_in):
        shape = SHAPES[1] if i == 1 else SHAPES[0]
        if op in POSITIVE:
            x = rng.integers(zp + 1, hi + 1, shape)
        else:
            x = rng.integers(lo, hi + 1, shape)
        if i == 1 and op in ("DIV", "FLOOR_DIV", "FLOOR_MOD"):
            x[x == zp] = zp + 1
            x[x == 0] = 1
        xs.append(x.astype(dt))
    return xs


def litert_child(paths):
    """Runs each model (path, then its input files) in LiteRT; prints
    ok/no per model."""
    from ai_edge_litert import interpreter as litert
    for p in paths:
        try:
            it = litert.Interpreter(
                model_path=p, experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF)
            it.allocate_tensors()
            for d in it.get_input_details():
                k = int(d["name"].split("_")[-1])
                it.set_tensor(d["index"], np.load(p + f".in{k}.npy"))
            it.invoke()
            np.save(p + ".ref.npy", it.get_tensor(it.get_output_details()[0]["index"]))
            print("ok", p, flush=True)
        except Exception as e:  # refused: the message says why
            msg = " ".join(str(e).split())[:120]
            print("no", p, msg, flush=True)
    return 0


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--litert-child":
        return litert_child(sys.argv[2:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ops", help="comma-separated (default: all listed in the source)")
    ap.add_argument("--types", default="int8,uint8,int16")
    ap.add_argument("--pocketnn", default=default_pocketnn())
    args = ap.parse_args()
    ops = args.ops.split(",") if args.ops else BINARY + UNARY
    types = args.types.split(",")
    bad = [o for o in ops if o not in BINARY + UNARY] + [t for t in types if t not in TYPES]
    if bad:
        print(f"error: unknown op/type {bad[0]}", file=sys.stderr)
        return 2
    rows, differ = [], 0
    with tempfile.TemporaryDirectory(prefix="pnn-probe-") as tmp:
        work = []
        for op in ops:
            for ty in types:
                data, n_in = build(op, ty)
                p = os.path.join(tmp, f"{op}_{ty}.tflite")
                with open(p, "wb") as f:
                    f.write(data)
                for k, x in enumerate(inputs_for(op, ty, n_in, len(work))):
                    np.save(p + f".in{k}.npy", x)
                work.append((op, ty, p, n_in))
        litert = {}
        todo = [w[2] for w in work]
        while todo:  # one child for all; a crash costs the model it hit
            proc = subprocess.run([sys.executable, os.path.abspath(__file__),
                                   "--litert-child"] + todo, capture_output=True, text=True)
            for line in proc.stdout.splitlines():
                st, p, *msg = line.split(" ", 2)
                litert[p] = (st == "ok", msg[0] if msg else "")
            done = [p for p in todo if p in litert]
            rest = [p for p in todo if p not in litert]
            if rest and proc.returncode != 0:
                litert[rest[0]] = (False, f"LiteRT crashed (exit {proc.returncode})")
                rest = rest[1:]
            todo = rest if len(done) or proc.returncode != 0 else []
        for op, ty, p, n_in in work:
            ok, msg = litert.get(p, (False, "not run"))
            res = run_pocketnn(args.pocketnn, p, [p + f".in{k}.npy" for k in range(n_in)],
                               extra_args=["--raw"])
            ours = "runs" if res.ok else "refuses"
            cmp = "-"
            if ok and res.ok:
                ref = np.load(p + ".ref.npy")
                n = int(np.count_nonzero(res.outputs[0].astype(np.int64) != ref.astype(np.int64)))
                cmp = "exact" if n == 0 else f"{n}/{ref.size} differ"
                differ += n > 0
            rows.append((op, ty, "accepts" if ok else "refuses", ours, cmp,
                         "" if ok else msg))
    w = [max(len(str(r[i])) for r in rows) for i in range(5)]
    for r in rows:
        print("  ".join(str(c).ljust(w[i]) for i, c in enumerate(r[:5])) +
              ("  " + r[5] if r[5] else ""))
    print(f"{differ} (op, type) pairs differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())

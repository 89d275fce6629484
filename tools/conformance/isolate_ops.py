#!/usr/bin/env python3
"""Checks every op of a model on its own, fed LiteRT's values of its inputs.

trace_diff.py shows how far pocketnn's tensors drift from LiteRT's through a
whole model; drift from float rounding (FMA kernels) gets amplified
downstream, e.g. by hybrid ops that re-quantize their float input. This
tool separates the two: LiteRT (reference kernels) computes every tensor of
the model; then each op is cut out as a one-op model whose inputs are the
op's non-constant inputs, pocketnn runs it on LiteRT's values of those
inputs, and its output is compared with LiteRT's value of the op's output.
An op that is wrong here is wrong by itself, not by what it was fed.

    isolate_ops.py MODEL INPUT_0.npy [INPUT_1.npy ...] [--pocketnn P]
        [--ops 3,5,7] [--show 20]

Prints per op kind (op name, hybrid or not): ops checked, ops bit-exact,
worst error relative to max(1, max|ref|); then the worst ops. Exit status
1 when a hybrid or integer op is not bit-exact (float ops are reported,
not judged: their rounding differs by design on FMA kernels). A debugging
and evidence aid, not part of the test suite. Main subgraph only.
"""
import argparse
import copy
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import default_pocketnn, quiet_tensorflow, run_pocketnn  # noqa: E402

quiet_tensorflow()
import numpy as np  # noqa: E402

FLOAT32, INT32, INT64, INT8 = 0, 2, 4, 9  # TensorType codes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("inputs", nargs="+", help="one .npy per model input, in order")
    ap.add_argument("--pocketnn", default=default_pocketnn())
    ap.add_argument("--ops", help="comma-separated op indices (default: all)")
    ap.add_argument("--show", type=int, default=10, help="worst ops to list")
    args = ap.parse_args()

    from tensorflow.lite.tools import flatbuffer_utils as fu
    from ai_edge_litert import interpreter as litert
    from trace_diff import all_outputs_model
    with open(args.model, "rb") as f:
        data = f.read()
    traced, _, outs = all_outputs_model(data)
    it = litert.Interpreter(model_content=traced,
                            experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    xs = [np.load(p) for p in args.inputs]
    for d, x in zip(it.get_input_details(), xs):
        it.set_tensor(d["index"], x)
    it.invoke()
    model = fu.read_model_from_bytearray(bytearray(data))
    sg = model.subgraphs[0]
    value = {int(t): x for t, x in zip(sg.inputs, xs)}
    for t in outs:
        value[t] = np.array(it.get_tensor(t))

    def constant(t):
        b = model.buffers[sg.tensors[t].buffer]
        return b.data is not None and len(b.data) > 0

    empty = type(model.buffers[0])()
    todo = [int(k) for k in args.ops.split(",")] if args.ops else range(len(sg.operators))
    kinds, worst = {}, []
    bad_integer = 0
    with tempfile.TemporaryDirectory(prefix="pnn-isolate-") as tmp:
        for k in todo:
            op = sg.operators[k]
            name = fu.opcode_to_name(model, op.opcodeIndex)
            ins = [int(t) for t in op.inputs if t >= 0 and not constant(t)]
            # Computed int32/int64 operands (shapes, axes) become constants
            # holding LiteRT's value: prepare needs them constant.
            fixed = [t for t in ins if sg.tensors[t].type in (INT32, INT64)
                     and t in value]
            ins = [t for t in ins if t not in fixed]
            outs_k = [int(t) for t in op.outputs if t >= 0]
            if any(t not in value for t in ins + outs_k):
                continue
            types = [sg.tensors[t].type for t in op.inputs if t >= 0]
            hybrid = bool(types) and types[0] == FLOAT32 and INT8 in types[1:]
            one = copy.copy(sg)
            one.operators = [op]
            one.tensors = list(sg.tensors)
            one.inputs = np.array(ins, np.int32)
            one.outputs = np.array(outs_k, np.int32)
            m = copy.copy(model)
            m.subgraphs = [one] + model.subgraphs[1:]
            m.signatureDefs = []
            m.buffers = list(model.buffers)
            if len(model.subgraphs) == 1:  # keep only this op's constants
                used = {sg.tensors[t].buffer for t in op.inputs if t >= 0}
                m.buffers = [b if i in used else empty for i, b in enumerate(model.buffers)]
            for t in fixed:
                T = copy.copy(sg.tensors[t])
                T.buffer = len(m.buffers)
                buf = type(empty)()
                buf.data = np.frombuffer(value[t].tobytes(), np.uint8)
                m.buffers.append(buf)
                one.tensors[t] = T
            path = os.path.join(tmp, "op.tflite")
            with open(path, "wb") as f:
                f.write(bytes(fu.convert_object_to_bytearray(m)))
            paths = []
            for i, t in enumerate(ins):
                paths.append(os.path.join(tmp, f"in_{i}.npy"))
                np.save(paths[-1], value[t])
            res = run_pocketnn(args.pocketnn, path, paths, extra_args=["--raw"])
            kind = name + (" (hybrid)" if hybrid else "")
            s = kinds.setdefault(kind, [0, 0, 0.0])
            s[0] += 1
            if not res.ok:
                print(f"op {k} {name}: pocketnn failed: {res.message[:200]}")
                s[2] = float("inf")
                bad_integer += 1
                continue
            err = rel = 0.0
            for o, t in zip(res.outputs, outs_k):
                r = value[t]
                if o.shape != r.shape:
                    err = rel = float("inf")
                    break
                if r.size:
                    e = float(np.max(np.abs(o.astype(np.float64) - r.astype(np.float64))))
                    err = max(err, e)
                    rel = max(rel, e / max(1.0, float(np.max(np.abs(r)))))
            s[1] += err == 0
            s[2] = max(s[2], rel)
            integer_out = sg.tensors[outs_k[0]].type != FLOAT32
            if err and (hybrid or integer_out):
                bad_integer += 1
            worst.append((rel, err, k, kind))
    print(f"{'op kind':<32} {'checked':>8} {'exact':>6} {'worst rel err':>14}")
    for kind, (n, exact, rel) in sorted(kinds.items()):
        print(f"{kind:<32} {n:>8} {exact:>6} {rel:>14.3g}")
    print("worst ops:")
    for rel, err, k, kind in sorted(worst, reverse=True)[:args.show]:
        print(f"  op {k:>4} {kind:<30} max_abs {err:.3g} rel {rel:.3g}")
    print(f"hybrid/integer ops not bit-exact: {bad_integer}")
    return 1 if bad_integer else 0


if __name__ == "__main__":
    sys.exit(main())

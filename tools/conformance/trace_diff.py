#!/usr/bin/env python3
"""Finds where pocketnn's numbers drift from LiteRT's inside a model.

Makes a copy of the model whose subgraph outputs are every tensor an op
produces, runs it in `pocketnn run --save-outputs` and in LiteRT (reference
kernels) on the same seeded input, and prints per op, in execution order:
op index, op name, output tensor, max|ours-ref|, that error relative to
max(1, max|ref|) and the growth over the op's inputs' worst relative error.
The op where the relative error first jumps is where to look.

    .venv/bin/python tools/conformance/trace_diff.py MODEL [--input 0=x.npy]
        [--top 15] [--pocketnn build/pocketnn]

Without --input, inputs are drawn like mediapipe_check.py draws them.
Models with custom ops are rewritten first when rewrite_custom.py can.
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


def all_outputs_model(model_bytes):
    """The model with every op output listed as a subgraph output; returns
    (bytes, [(op index, op name, tensor index, tensor name)])."""
    from tensorflow.lite.tools import flatbuffer_utils as fu
    m = fu.read_model_from_bytearray(bytearray(model_bytes))
    sg = m.subgraphs[0]
    rows, outs = [], []
    for i, op in enumerate(sg.operators):
        name = fu.opcode_to_name(m, op.opcodeIndex)
        for t in op.outputs:
            if t >= 0 and int(t) not in outs:
                outs.append(int(t))
                rows.append((i, name, int(t), sg.tensors[t].name.decode(errors="replace")))
    sg = copy.copy(sg)
    sg.outputs = np.array(outs, np.int32)
    m.subgraphs = [sg] + m.subgraphs[1:]
    m.signatureDefs = []  # signatures name the old outputs
    return bytes(fu.convert_object_to_bytearray(m)), rows, outs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("--input", action="append", default=[],
                    help="K=FILE.npy (default: seeded random like mediapipe_check)")
    ap.add_argument("--pocketnn", default=default_pocketnn())
    ap.add_argument("--top", type=int, default=15, help="rows with the largest growth")
    args = ap.parse_args()

    import mediapipe_check
    import rewrite_custom
    from ai_edge_litert import interpreter as litert
    with open(args.model, "rb") as f:
        model = f.read()
    if rewrite_custom.custom_ops(model):
        model, _ = rewrite_custom.rewrite(model)
    traced, rows, outs = all_outputs_model(model)

    interp = litert.Interpreter(model_content=traced,
                                experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF)
    interp.allocate_tensors()
    details = interp.get_input_details()
    if args.input:
        given = dict(s.split("=", 1) for s in args.input)
        inputs = [np.load(given[str(k)]) for k in range(len(details))]
    else:
        name = os.path.splitext(os.path.basename(args.model))[0]
        inputs = mediapipe_check.make_inputs(details, name)
    for d, a in zip(details, inputs):
        interp.set_tensor(d["index"], a)
    interp.invoke()
    refs = {t: np.array(interp.get_tensor(t)) for t in outs}

    with tempfile.TemporaryDirectory(prefix="pnn-trace-") as tmp:
        model_path = os.path.join(tmp, "traced.tflite")
        with open(model_path, "wb") as f:
            f.write(traced)
        in_paths = []
        for k, a in enumerate(inputs):
            in_paths.append(os.path.join(tmp, f"input_{k}.npy"))
            np.save(in_paths[-1], a)
        res = run_pocketnn(args.pocketnn, model_path, in_paths)
    if not res.ok:
        print(f"error: pocketnn: {res.message}", file=sys.stderr)
        return 1
    if len(res.outputs) != len(outs):
        print(f"error: {len(res.outputs)} outputs, expected {len(outs)}", file=sys.stderr)
        return 1

    ours = dict(zip(outs, res.outputs))
    from tensorflow.lite.tools import flatbuffer_utils as fu
    sg = fu.read_model_from_bytearray(bytearray(traced)).subgraphs[0]
    rel = {}
    table = []
    for i, name, t, tname in rows:
        r, o = refs[t], ours[t]
        if r.shape != o.shape or r.size == 0 or r.dtype.kind not in "fiu":
            continue
        err = float(np.max(np.abs(o.astype(np.float64) - r.astype(np.float64))))
        rel[t] = err / max(1.0, float(np.max(np.abs(r))))
        prior = max([rel.get(int(x), 0.0) for x in sg.operators[i].inputs if x >= 0] + [0.0])
        table.append((i, name, tname[:48], err, rel[t], rel[t] - prior))
    print(f"{'op':>4}  {'name':<22} {'tensor':<48} {'max_abs':>10} {'rel':>10} {'growth':>10}")
    for row in sorted(table, key=lambda r: -r[5])[:args.top]:
        print(f"{row[0]:>4}  {row[1]:<22} {row[2]:<48} {row[3]:>10.3g} {row[4]:>10.3g} "
              f"{row[5]:>10.3g}")
    worst = max(table, key=lambda r: r[4]) if table else None
    if worst:
        print(f"worst relative error: op {worst[0]} {worst[1]} ({worst[4]:.3g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

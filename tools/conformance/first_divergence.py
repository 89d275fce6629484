#!/usr/bin/env python3
"""Finds where pocketnn and LiteRT part ways inside a model.

For op k, the model is cut so that op k's first output becomes the model's
output; both runtimes run the cut model on the same inputs and the outputs
are compared with the float rule max|ours-ref| <= tol*max(1, max|ref|)
(integer outputs: any difference). A binary search over k finds an op whose
output differs; then the producers of its inputs are traced back, so the
report shows the first op that is wrong while its inputs are right.

    first_divergence.py MODEL.tflite INPUT_0.npy [INPUT_1.npy ...]
        [--pocketnn build/pocketnn] [--resolver ref|default] [--tol 1e-4]

Example (the hybrid DEPTHWISE_CONV_2D of the dynamic-range MobileNetV3Small):
    first_divergence.py .cache/keras/MobileNetV3Small/dynamic.tflite \\
        .cache/keras/MobileNetV3Small/dynamic.input_1_0.npy

A debugging aid for people, not part of the test suite. Main subgraph only.
"""
import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import default_pocketnn, quiet_tensorflow  # noqa: E402

quiet_tensorflow()
import numpy as np  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("inputs", nargs="+", help="one .npy per model input, in order")
    ap.add_argument("--pocketnn", default=default_pocketnn())
    ap.add_argument("--resolver", choices=["ref", "default"], default="ref",
                    help="LiteRT kernels: BUILTIN_REF (default) or the default resolver")
    ap.add_argument("--tol", type=float, default=1e-4)
    args = ap.parse_args()

    from tensorflow.lite.tools import flatbuffer_utils as fu
    from ai_edge_litert import interpreter as litert
    model = fu.read_model(args.model)
    sg = model.subgraphs[0]
    xs = [np.load(p) for p in args.inputs]
    tmp = tempfile.mkdtemp(prefix="pnn-diverge-")
    cut_path = os.path.join(tmp, "cut.tflite")
    producer = {t: k for k, op in enumerate(sg.operators) for t in op.outputs}

    def op_name(k):
        return fu.opcode_to_name(model, sg.operators[k].opcodeIndex)

    def run_at(k):
        """(error, scale, ok) of op k's first output."""
        saved = sg.outputs
        sg.outputs = [sg.operators[k].outputs[0]]
        fu.write_model(model, cut_path)
        sg.outputs = saved
        kw = {}
        if args.resolver == "ref":
            kw["experimental_op_resolver_type"] = litert.OpResolverType.BUILTIN_REF
        it = litert.Interpreter(model_path=cut_path, **kw)
        it.allocate_tensors()
        for d, x in zip(it.get_input_details(), xs):
            it.set_tensor(d["index"], x)
        it.invoke()
        ref = np.array(it.get_tensor(it.get_output_details()[0]["index"]))
        out_dir = os.path.join(tmp, "out")
        cmd = [args.pocketnn, "run", cut_path, "--raw", "--save-outputs", out_dir]
        for i, p in enumerate(args.inputs):
            cmd += ["--input", f"{i}={p}"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"op {k} {op_name(k)}: pocketnn failed: {proc.stderr.strip()[:200]}")
            return float("inf"), 0.0, False
        ours = np.load(os.path.join(out_dir, "output_0.npy"))
        err = float(np.max(np.abs(ours.astype(np.float64) - ref.astype(np.float64)))) \
            if ref.size else 0.0
        scale = float(np.max(np.abs(ref))) if ref.size else 0.0
        ok = err <= args.tol * max(1.0, scale) if ref.dtype.kind == "f" else err == 0
        return err, scale, ok

    last = len(sg.operators) - 1
    err, scale, ok = run_at(last)
    print(f"last op {last} {op_name(last)}: max error {err:.3g} (max |ref| {scale:.3g})")
    if ok:
        print("outputs agree; nothing to find")
        return 0
    lo, hi = 0, last
    while lo < hi:
        mid = (lo + hi) // 2
        if run_at(mid)[2]:
            lo = mid + 1
        else:
            hi = mid
    k = lo
    # Walk back through producers while an input is itself wrong.
    while True:
        bad_input = None
        for t in sg.operators[k].inputs:
            if t in producer and not run_at(producer[t])[2]:
                bad_input = producer[t]
                break
        if bad_input is None:
            break
        k = bad_input
    err, scale, _ = run_at(k)
    op = sg.operators[k]
    print(f"first wrong op {k} {op_name(k)}: max error {err:.3g} (max |ref| {scale:.3g}); "
          f"its inputs agree")
    opts = op.builtinOptions
    if opts is not None:
        print("  options:", {a: v for a, v in vars(opts).items()})
    for t in op.inputs:
        if t < 0:
            continue
        T = sg.tensors[t]
        q = T.quantization
        nq = 0 if q is None or q.scale is None else len(q.scale)
        print(f"  input tensor {t}: type {T.type} shape {list(map(int, T.shape))} "
              f"quant scales {nq}")
    return 1


if __name__ == "__main__":
    sys.exit(main())

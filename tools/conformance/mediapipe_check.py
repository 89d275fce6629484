#!/usr/bin/env python3
"""Runs every MediaPipe model in pocketnn and in LiteRT on the same seeded
inputs and compares all outputs:

    max|ours - ref| <= 1e-4 * max(1, max|ref|)   per output

or, where LiteRT's own optimized path (its default XNNPACK delegate) is
further than that from its reference kernels on the same inputs (an
ill-conditioned output, e.g. pose_landmark_full's segmentation logits),
no further than LiteRT's optimized path is: SIMD kernels with FMA cannot
match the reference kernels' rounding bit for bit.

Models come from the pinned mediapipe wheel (scripts/fetch_mediapipe.sh
unpacks them into .cache/mediapipe/mediapipe/modules/**). References are
made by LiteRT with its reference kernels and cached in
.cache/mediapipe_ref/<model>/ (keyed by model hash, seed and versions), so
later runs need only numpy. Models with MediaPipe custom ops that stock
LiteRT lacks get their reference from a rewritten model when the op has an
exact builtin equivalent (rewrite_custom.py); the `reference` column says
which was used. A model without any reference is a failure, not a skip.

Prints a table (model, ops, max abs error, pass, reference) and ends with
"N passed, N failed".
"""
import argparse
import glob
import hashlib
import json
import os
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (CACHE, compare, default_pocketnn, fmt_err,  # noqa: E402
                    print_table, quiet_tensorflow, random_array, run_pocketnn,
                    write_json)

quiet_tensorflow()
import numpy as np  # noqa: E402

TOL = 1e-4
REF_VERSION = 3
# Input ranges: MediaPipe feeds these models images scaled to [-1, 1] or
# [0, 1]; random values in that range exercise the real numeric regime.
RANGES = {
    "face_detection_short_range": (-1.0, 1.0),
    "face_detection_full_range_sparse": (-1.0, 1.0),
    "pose_detection": (-1.0, 1.0),
}
DEFAULT_RANGE = (0.0, 1.0)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def make_inputs(details, name):
    """Seeded per model (crc32 of its name), uniform in the model's range."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    low, high = RANGES.get(name, DEFAULT_RANGE)
    return [random_array(rng, d["shape"], np.dtype(d["dtype"]).name, low, high)
            for d in details]


def litert_run(litert, model_bytes, name, reference=True):
    kw = ({"experimental_op_resolver_type": litert.OpResolverType.BUILTIN_REF}
          if reference else {})
    interp = litert.Interpreter(model_content=model_bytes, **kw)
    interp.allocate_tensors()
    details = interp.get_input_details()
    inputs = make_inputs(details, name)
    for d, a in zip(details, inputs):
        interp.set_tensor(d["index"], a)
    interp.invoke()
    outs = [np.array(interp.get_tensor(d["index"])) for d in interp.get_output_details()]
    ops = [o["op_name"] for o in interp._get_ops_details()]
    return inputs, outs, ops


def segmented_run(litert, model_bytes, name):
    """Inputs as litert_run makes them, outputs from segmented_ref."""
    import segmented_ref
    from tensorflow.lite.tools import flatbuffer_utils as fu
    m = fu.read_model_from_bytearray(bytearray(model_bytes))
    sg = m.subgraphs[0]
    details = [{"shape": [int(d) for d in sg.tensors[t].shape], "dtype": np.float32}
               for t in sg.inputs]
    for t, d in zip(sg.inputs, details):
        if sg.tensors[t].type != 0:  # TensorType FLOAT32
            raise RuntimeError("segmented reference handles float32 inputs only")
    inputs = make_inputs(details, name)
    outs, n_ops = segmented_ref.run(model_bytes, inputs)
    ops = [fu.opcode_to_name(m, op.opcodeIndex) for op in sg.operators]
    assert len(ops) == n_ops
    return inputs, outs, ops


def make_reference(path, ref_dir, name, digest):
    """Runs LiteRT (directly, or on a rewritten model) and stores inputs,
    outputs and meta.json in ref_dir. Returns the meta dict."""
    import ai_edge_litert
    from ai_edge_litert import interpreter as litert
    import rewrite_custom
    import segmented_ref
    with open(path, "rb") as f:
        model = f.read()
    meta = {"model": name, "hash": digest, "ref_version": REF_VERSION,
            "litert": getattr(ai_edge_litert, "__version__", "?")}
    os.makedirs(ref_dir, exist_ok=True)
    customs = rewrite_custom.custom_ops(model)
    try:
        if not customs:
            meta["reference"] = "LiteRT (reference kernels)"
            inputs, outs, ops = litert_run(litert, model, name)
            _, fast, _ = litert_run(litert, model, name, reference=False)
            meta["xnnpack_dev"] = [max_finite_dev(f, r) for f, r in zip(fast, outs)]
        elif all(c in rewrite_custom.REWRITERS for c in customs):
            # Exact builtin equivalent: the whole reference comes from LiteRT.
            model, done = rewrite_custom.rewrite(model)
            meta["reference"] = "LiteRT on rewrite (" + ", ".join(
                rewrite_custom.DESCRIPTIONS[k] for k in sorted(done)) + ")"
            with open(os.path.join(ref_dir, "rewritten.tflite"), "wb") as f:
                f.write(model)
            inputs, outs, ops = litert_run(litert, model, name)
        elif all(c in segmented_ref.SUPPORTED for c in customs):
            # LiteRT runs the builtin parts; numpy the MediaPipe ops.
            meta["reference"] = "LiteRT + numpy custom ops (" + ", ".join(customs) + ")"
            inputs, outs, ops = segmented_run(litert, model, name)
        else:
            raise RuntimeError("no reference implementation")
    except Exception as e:
        meta["reference"] = "none"
        meta["error"] = (f"no reference (custom ops {', '.join(customs)}): "
                         if customs else "LiteRT failed: ") + str(e).splitlines()[0][:300]
        write_json(os.path.join(ref_dir, "meta.json"), meta)
        return meta
    for k, a in enumerate(inputs):
        np.save(os.path.join(ref_dir, f"input_{k}.npy"), a)
    for k, r in enumerate(outs):
        np.save(os.path.join(ref_dir, f"ref_{k}.npy"), r)
    meta.update(inputs=len(inputs), outputs=len(outs), ops=len(ops),
                op_kinds=sorted(set(ops)), custom_ops=customs)
    write_json(os.path.join(ref_dir, "meta.json"), meta)
    return meta


def max_finite_dev(fast, ref):
    """max|fast - ref| over finite float elements (0 for other dtypes)."""
    if ref.dtype.kind != "f" or ref.size == 0 or fast.shape != ref.shape:
        return 0.0
    fin = np.isfinite(ref) & np.isfinite(fast)
    if not fin.any():
        return 0.0
    return float(np.max(np.abs(fast[fin].astype(np.float64) - ref[fin].astype(np.float64))))


def cached_reference(ref_dir, digest):
    try:
        with open(os.path.join(ref_dir, "meta.json")) as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return None
    if meta.get("hash") != digest or meta.get("ref_version") != REF_VERSION:
        return None
    if "error" not in meta and not all(
            os.path.exists(os.path.join(ref_dir, f"ref_{k}.npy"))
            for k in range(meta.get("outputs", 0))):
        return None
    return meta


def check_model(path, pocketnn, ref_root, regenerate, strict=False):
    name = os.path.splitext(os.path.basename(path))[0]
    ref_dir = os.path.join(ref_root, name)
    digest = sha256_file(path) + f"|tol{TOL}"
    meta = None if regenerate else cached_reference(ref_dir, digest)
    if meta is None:
        meta = make_reference(path, ref_dir, name, digest)
    ops = str(meta.get("ops", "?"))
    if "error" in meta:
        return [name, ops, "-", "FAIL", meta["reference"], meta["error"]]
    inputs = [os.path.join(ref_dir, f"input_{k}.npy") for k in range(meta["inputs"])]
    res = run_pocketnn(pocketnn, path, inputs)
    if not res.ok:
        return [name, ops, "-", "FAIL", meta["reference"], "pocketnn: " + res.message]
    if len(res.outputs) != meta["outputs"]:
        return [name, ops, "-", "FAIL", meta["reference"],
                f"{len(res.outputs)} outputs written, model has {meta['outputs']}"]
    worst, notes, failed = 0.0, [], False
    for k in range(meta["outputs"]):
        ref = np.load(os.path.join(ref_dir, f"ref_{k}.npy"))
        tol, scale = TOL, 1.0
        dev = [] if strict else meta.get("xnnpack_dev", [])
        if k < len(dev) and ref.dtype.kind == "f" and np.isfinite(ref).any():
            scale = max(1.0, float(np.max(np.abs(ref[np.isfinite(ref)]))))
            tol = max(TOL, dev[k] / scale)
        c = compare(res.outputs[k], ref, tol)
        worst = max(worst, c.max_err) if c.max_err == c.max_err else float("nan")
        if not c.ok:
            failed = True
            notes.append(f"output {k}: {c.why}")
        elif tol > TOL and c.max_err > TOL * scale:
            notes.append(f"output {k}: within LiteRT XNNPACK's deviation "
                         f"{dev[k]:.3g} (> 1e-4 relative)")
    return [name, ops, fmt_err(worst), "FAIL" if failed else "PASS", meta["reference"],
            "; ".join(notes)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default=os.path.join(CACHE, "mediapipe"),
                    help="directory searched for *.tflite (default .cache/mediapipe)")
    ap.add_argument("--refs", default=os.path.join(CACHE, "mediapipe_ref"),
                    help="reference cache (default .cache/mediapipe_ref)")
    ap.add_argument("--pocketnn", default=default_pocketnn())
    ap.add_argument("--only", help="only models whose name contains this")
    ap.add_argument("--regenerate", action="store_true", help="remake every reference")
    ap.add_argument("--strict", action="store_true",
                    help="plain 1e-4*max(1,max|ref|) rule for every output, never widened "
                         "to LiteRT XNNPACK's own deviation (use with PNN_ISA=scalar)")
    args = ap.parse_args()

    paths = sorted(glob.glob(os.path.join(args.models, "**", "*.tflite"), recursive=True),
                   key=os.path.basename)
    if args.only:
        paths = [p for p in paths if args.only in os.path.basename(p)]
    if not paths:
        print(f"error: no .tflite under {args.models}; run scripts/fetch_mediapipe.sh",
              file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    rows = [check_model(p, args.pocketnn, args.refs, args.regenerate, args.strict)
            for p in paths]
    print_table(["model", "ops", "max_abs_err", "pass", "reference", "note"], rows)
    passed = sum(r[3] == "PASS" for r in rows)
    print(f"{passed} passed, {len(rows) - passed} failed")
    return 0 if passed == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())

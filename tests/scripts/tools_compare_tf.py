"""Side-by-side figures for docs/tools.md: pocketnn's optimize/quantize
against the TensorFlow converter's float16 and dynamic-range outputs of the
same Keras model (random weights, seed 0).

  tools_compare_tf.py --pocketnn build/pocketnn --work DIR [--models NAMES]

Makes DIR/NAME.tflite (plain float conversion) and DIR/tf_fp16/,
DIR/tf_dynamic/ with TensorFlow, then pocketnn's variants, and prints a
table: file size, gzip size, max|err|/max|ref| and cosine similarity of
the features vs the float model in LiteRT (reference kernels) over 4 seeded
inputs uniform in [-1, 1), and whether pocketnn runs the file and agrees
with LiteRT on it.
"""
import argparse
import gzip
import os
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "conformance"))
from common import compare, quiet_tensorflow, run_pocketnn  # noqa: E402

quiet_tensorflow()
import numpy as np  # noqa: E402

APPS = {"mobilenet_v2": "MobileNetV2", "efficientnet_b0": "EfficientNetB0"}


def convert(name, work):
    import tensorflow as tf
    paths = {k: os.path.join(work, k, name + ".tflite") for k in ("float", "tf_fp16", "tf_dynamic")}
    if all(os.path.exists(p) and os.path.getsize(p) for p in paths.values()):
        return paths
    tf.keras.utils.set_random_seed(0)
    # Without the classifier head (random weights make its softmax flat):
    # the 1280-d pooled features are what the error is measured on.
    model = getattr(tf.keras.applications, APPS[name])(
        weights=None, input_shape=(224, 224, 3), include_top=False, pooling="avg")
    for kind, path in paths.items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        c = tf.lite.TFLiteConverter.from_keras_model(model)
        if kind != "float":
            c.optimizations = [tf.lite.Optimize.DEFAULT]
        if kind == "tf_fp16":
            c.target_spec.supported_types = [tf.float16]
        with open(path, "wb") as f:
            f.write(c.convert())
    return paths


def litert(path, inputs):
    from ai_edge_litert import interpreter as lr
    it = lr.Interpreter(model_path=path,
                        experimental_op_resolver_type=lr.OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    outs = []
    for x in inputs:
        it.set_tensor(it.get_input_details()[0]["index"], x)
        it.invoke()
        outs.append(np.array(it.get_tensor(it.get_output_details()[0]["index"])))
    return outs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pocketnn", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--models", default="mobilenet_v2,efficientnet_b0")
    args = ap.parse_args()
    print("model  variant  bytes  gzip_bytes  max_rel_err  cosine  pocketnn_vs_litert")
    for name in args.models.split(","):
        paths = convert(name, args.work)
        ours = {
            "pnn_optimize": ["optimize"],
            "pnn_fp16": ["quantize", "--mode", "fp16"],
            "pnn_dynamic": ["quantize", "--mode", "dynamic"],
            "pnn_rw256": ["quantize", "--mode", "round-weights"],
        }
        for label, cmd in ours.items():
            out = os.path.join(args.work, label, name + ".tflite")
            os.makedirs(os.path.dirname(out), exist_ok=True)
            subprocess.run([args.pocketnn, cmd[0], paths["float"], out] + cmd[1:], check=True,
                           stdout=subprocess.DEVNULL)
            paths[label] = out
        rng = np.random.default_rng(0)
        inputs = [rng.uniform(-1, 1, (1, 224, 224, 3)).astype(np.float32) for _ in range(4)]
        ref = litert(paths["float"], inputs)
        with tempfile.TemporaryDirectory() as tmp:
            in_file = os.path.join(tmp, "in.npy")
            np.save(in_file, inputs[0])
            for label, path in paths.items():
                outs = litert(path, inputs)
                err = max(float(np.max(np.abs(o - r))) / float(np.max(np.abs(r)))
                          for o, r in zip(outs, ref))
                cos = min(float(np.dot(o.ravel(), r.ravel()) /
                                (np.linalg.norm(o) * np.linalg.norm(r) + 1e-30))
                          for o, r in zip(outs, ref))
                with open(path, "rb") as f:
                    data = f.read()
                res = run_pocketnn(args.pocketnn, path, [in_file])
                if not res.ok:
                    agree = "fails: " + res.message[:80]
                else:
                    c = compare(res.outputs[0], outs[0], 1e-4)
                    agree = ("yes" if c.ok else "no") + f" ({c.max_err:.2g})"
                print(f"{name}  {label}  {len(data)}  {len(gzip.compress(data, 6))}  "
                      f"{err:.3g}  {cos:.6f}  {agree}", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Generates the Keras-application conformance models and their LiteRT
references into .cache/keras/<app>/ (only what is missing).

Each app is built with random weights (weights=None, keras seed fixed per
app), at INPUT_SIZE x INPUT_SIZE x 3 with batch 1, ending at the 1000
logits (classifier_activation=None: with random weights a softmax output is
~1/1000 everywhere and would hide errors), its BatchNormalization moving
statistics set from a seeded image batch (see calibrate_batchnorm), and
converted four ways:

    float32   plain conversion                       ref: LiteRT BUILTIN_REF
    float16   float16 weights (+ DEQUANTIZE ops)     ref: LiteRT BUILTIN_REF
    dynamic   dynamic-range int8 weights (hybrid)    ref: LiteRT BUILTIN_REF
    int8      full integer, int8 input and output,   ref: LiteRT BUILTIN_REF
              calibrated on CALIB_SAMPLES seeded random images
    uint8     the int8 model with uint8 input and    ref: LiteRT BUILTIN_REF
              output (inference_input/output_type
              = tf.uint8: TF 2.20 adds a QUANTIZE uint8->int8 after the
              input and int8->uint8 before the output; the graph inside is
              int8, since TF 2.x no longer makes all-uint8 models)
    16x8      int16 activations, int8 weights, int64 ref: LiteRT BUILTIN_REF
              bias (EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8,
              with TFLITE_BUILTINS as the documented float fallback for ops
              the converter has no 16x8 form of), int16 input and output,
              same calibration images as int8

Every variant gets the same N_INPUTS seeded float images (the int8 variant
gets them quantized with its input scale/zero point; uint8 and 16x8 likewise), saved as
<variant>.input_<i>.npy next to <variant>.ref_<i>.npy and <variant>.json
(ops, quantization, timings). Files are written atomically and a variant is
regenerated only when its json is missing or GEN_VERSION changed, so reruns
are cheap and outputs deterministic.

Usage: gen_keras.py [--apps MobileNet,ResNet50] [--variants float32,int8]
"""
import argparse
import glob
import json
import os
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CACHE, quiet_tensorflow, write_json  # noqa: E402

quiet_tensorflow()
import numpy as np  # noqa: E402

GEN_VERSION = 3
INPUT_SIZE = 128        # every app below accepts it with weights=None
N_INPUTS = 4            # seeded test images per model
CALIB_SAMPLES = 8       # representative dataset size for full int8
VARIANTS = ["float32", "float16", "dynamic", "int8", "uint8", "16x8"]
INTEGER_VARIANTS = {"dynamic", "int8", "uint8", "16x8"}   # referenced with BUILTIN_REF
FULL_INTEGER = {"int8", "uint8", "16x8"}   # integer input and output

# app name -> (keras.applications constructor name, input range). Apps with
# built-in preprocessing (MobileNetV3, EfficientNet) take raw [0, 255]
# pixels; the others take preprocessed values, [-1, 1] here.
APPS = {
    "MobileNet": ("MobileNet", (-1.0, 1.0)),
    "MobileNetV2": ("MobileNetV2", (-1.0, 1.0)),
    "MobileNetV3Small": ("MobileNetV3Small", (0.0, 255.0)),
    "MobileNetV3Large": ("MobileNetV3Large", (0.0, 255.0)),
    "EfficientNetB0": ("EfficientNetB0", (0.0, 255.0)),
    "ResNet50": ("ResNet50", (-1.0, 1.0)),
    "DenseNet121": ("DenseNet121", (-1.0, 1.0)),
    "InceptionV3": ("InceptionV3", (-1.0, 1.0)),
    "NASNetMobile": ("NASNetMobile", (-1.0, 1.0)),
    "Xception": ("Xception", (-1.0, 1.0)),
}

ROOT_DIR = os.path.join(CACHE, "keras")


def seed_of(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def images(name: str, tag: str, n: int, shape, rng_range):
    """n seeded float32 images (seed from model name and tag)."""
    rng = np.random.default_rng(seed_of(name + "/" + tag))
    lo, hi = rng_range
    return [rng.uniform(lo, hi, size=shape).astype(np.float32) for _ in range(n)]


def convert(tf, keras_model, input_specs, variant, calib):
    """TFLite bytes of keras_model for one variant. calib: list of input
    lists for the representative dataset (full int8 only)."""
    # from_keras_model freezes the weights and handles calibration; a
    # concrete function with a trackable keeps READ_VARIABLE ops instead.
    del input_specs  # the model's own (batch None -> 1) input signature
    conv = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    if variant == "float16":
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.target_spec.supported_types = [tf.float16]
    elif variant == "dynamic":
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
    elif variant in ("int8", "uint8"):
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = lambda: (list(c) for c in calib)
        conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        io = tf.int8 if variant == "int8" else tf.uint8
        conv.inference_input_type = io
        conv.inference_output_type = io
    elif variant == "16x8":
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = lambda: (list(c) for c in calib)
        # TFLITE_BUILTINS: ops the converter cannot make 16x8 (HARD_SWISH,
        # ...) stay float between DEQUANTIZE and QUANTIZE, as TF documents;
        # the ops list in the json shows which.
        conv.target_spec.supported_ops = [
            tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8,
            tf.lite.OpsSet.TFLITE_BUILTINS]
        conv.inference_input_type = tf.int16
        conv.inference_output_type = tf.int16
    elif variant != "float32":
        raise ValueError(f"unknown variant {variant}")
    # Keras' SavedModel export prints every captured tensor to stdout.
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            return conv.convert()
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def quantize_input(x, detail):
    """Float input -> the model's integer input type with its scale/zp."""
    dt = np.dtype(detail["dtype"])
    if dt.kind == "f":
        return x.astype(dt)
    scale, zp = detail["quantization"]
    if scale == 0:
        return x.astype(dt)
    info = np.iinfo(dt)
    q = np.round(x / scale) + zp
    return np.clip(q, info.min, info.max).astype(dt)


RESOLVERS = {
    "default": "LiteRT default resolver",
    "ref": "LiteRT BUILTIN_REF",
    "optimized": "LiteRT builtin kernels without delegates (BUILTIN_REF aborted)",
}


def litert_child(tmp, resolver):
    """Child-process side of litert_reference (LiteRT can abort the process,
    and must not share it with TensorFlow's own TFLite runtime)."""
    from ai_edge_litert import interpreter as litert
    with open(os.path.join(tmp, "model.tflite"), "rb") as f:
        data = f.read()
    kinds = {"default": None, "ref": litert.OpResolverType.BUILTIN_REF,
             "optimized": litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES}
    kw = {} if kinds[resolver] is None else {
        "experimental_op_resolver_type": kinds[resolver]}
    interp = litert.Interpreter(model_content=data, **kw)
    interp.allocate_tensors()
    ind, outd = interp.get_input_details(), interp.get_output_details()
    n = len(glob.glob(os.path.join(tmp, "x_*_0.npy")))
    for i in range(n):
        xs = [np.load(os.path.join(tmp, f"x_{i}_{k}.npy")) for k in range(len(ind))]
        qs = [quantize_input(x, d) for x, d in zip(xs, ind)]
        for d, q in zip(ind, qs):
            interp.set_tensor(d["index"], q)
        # Variable tensors (recurrent state) carry over between invokes in
        # LiteRT; each input set starts from zeros, as a fresh pocketnn run.
        interp.reset_all_variables()
        interp.invoke()
        for k, q in enumerate(qs):
            np.save(os.path.join(tmp, f"fed_{i}_{k}.npy"), q)
        for k, d in enumerate(outd):
            np.save(os.path.join(tmp, f"y_{i}_{k}.npy"), np.array(interp.get_tensor(d["index"])))
    # Op names from an undelegated interpreter (a delegate hides them).
    plain = litert.Interpreter(
        model_content=data,
        experimental_op_resolver_type=litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    plain.allocate_tensors()
    ops = [o["op_name"] for o in plain._get_ops_details()]

    def desc(d):
        s, z = d["quantization"]
        return {"name": d["name"], "dtype": np.dtype(d["dtype"]).name,
                "shape": [int(v) for v in d["shape"]], "scale": float(s),
                "zero_point": int(z)}
    write_json(os.path.join(tmp, "result.json"),
               {"ops": ops, "inputs": [desc(d) for d in ind],
                "outputs": [desc(d) for d in outd], "n": n})
    return 0


def litert_reference(model_bytes, float_inputs, integer, resolvers=None):
    """Runs LiteRT in a child process on each input set; returns (inputs as
    fed, outputs per set, op names, input details, output details, the
    reference's description). Integer models use BUILTIN_REF; if LiteRT's
    reference kernels abort, its plain builtin kernels are used instead
    (and the description says so)."""
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory(prefix="pnn-keras-") as tmp:
        with open(os.path.join(tmp, "model.tflite"), "wb") as f:
            f.write(model_bytes)
        for i, xs in enumerate(float_inputs):
            for k, x in enumerate(xs):
                np.save(os.path.join(tmp, f"x_{i}_{k}.npy"), x)
        err = ""
        # Float models too are referenced with LiteRT's reference kernels, as
        # the single-op and mediapipe checks are: its default (XNNPACK) path
        # has rounding of its own, reported separately as litert_spread.
        for resolver in resolvers or ["ref", "optimized"]:
            proc = subprocess.run([sys.executable, os.path.abspath(__file__),
                                   "--litert-child", tmp, resolver],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True, errors="replace")
            if proc.returncode == 0:
                break
            lines = [l for l in proc.stderr.splitlines() if l.strip()]
            err = f"LiteRT ({resolver}) exit {proc.returncode}: " + (
                lines[-1][:300] if lines else "")
        else:
            raise RuntimeError(err)
        with open(os.path.join(tmp, "result.json")) as f:
            r = json.load(f)
        nin, nout = len(r["inputs"]), len(r["outputs"])
        fed = [[np.load(os.path.join(tmp, f"fed_{i}_{k}.npy")) for k in range(nin)]
               for i in range(r["n"])]
        outs = [[np.load(os.path.join(tmp, f"y_{i}_{k}.npy")) for k in range(nout)]
                for i in range(r["n"])]
        return fed, outs, r["ops"], r["inputs"], r["outputs"], RESOLVERS[resolver]


def save_variant(out_dir, variant, model_bytes, fed, outs, meta):
    """Writes model, inputs, references, then the json (written last, so a
    variant with a json is complete)."""
    tmp = os.path.join(out_dir, variant + ".tflite.tmp")
    with open(tmp, "wb") as f:
        f.write(model_bytes)
    os.replace(tmp, os.path.join(out_dir, variant + ".tflite"))
    for i, (xs, ys) in enumerate(zip(fed, outs)):
        for k, x in enumerate(xs):
            np.save(os.path.join(out_dir, f"{variant}.input_{i}_{k}.npy"), x)
        for k, y in enumerate(ys):
            np.save(os.path.join(out_dir, f"{variant}.ref_{i}_{k}.npy"), y)
    write_json(os.path.join(out_dir, variant + ".json"), meta)


def variant_done(out_dir, variant):
    try:
        with open(os.path.join(out_dir, variant + ".json")) as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return False
    if meta.get("gen_version") != GEN_VERSION:
        return False
    if meta.get("reference") == "LiteRT default resolver" and "error" not in meta:
        rereference(out_dir, variant, meta)
    return True


def rereference(out_dir, variant, meta):
    """Caches made when float variants were referenced with LiteRT's default
    resolver: rerun LiteRT's reference kernels on the stored model and inputs
    instead of converting again."""
    with open(os.path.join(out_dir, variant + ".tflite"), "rb") as f:
        data = f.read()
    n, nin = meta["n_inputs"], len(meta["inputs"])
    xs = [[np.load(os.path.join(out_dir, f"{variant}.input_{i}_{k}.npy")) for k in range(nin)]
          for i in range(n)]
    _, outs, _, _, _, meta["reference"] = litert_reference(data, xs, False)
    for i, ys in enumerate(outs):
        for k, y in enumerate(ys):
            np.save(os.path.join(out_dir, f"{variant}.ref_{i}_{k}.npy"), y)
    meta.pop("litert_spread", None)
    write_json(os.path.join(out_dir, variant + ".json"), meta)


def add_litert_spread(out_dir, variant):
    """How far another LiteRT kernel set is from the stored reference (max
    abs over inputs and float outputs): for float variants BUILTIN_REF vs the
    default resolver, for dynamic-range the plain builtin kernels vs
    BUILTIN_REF, i.e. LiteRT's own spread on this model. Stored in the json
    as "litert_spread" (the check reports it next to our error). Dynamic-range
    variants also get "litert_spread_xnnpack" (the default resolver, whose
    XNNPACK delegate quantizes hybrid inputs its own way): reported, never
    used as a tolerance."""
    path = os.path.join(out_dir, variant + ".json")
    with open(path) as f:
        meta = json.load(f)
    if variant in FULL_INTEGER or "error" in meta:
        return
    want = [("litert_spread", "optimized" if variant == "dynamic" else "default")]
    if variant == "dynamic":
        want.append(("litert_spread_xnnpack", "default"))
    want = [(k, r) for k, r in want if k not in meta]
    if not want:
        return
    with open(os.path.join(out_dir, variant + ".tflite"), "rb") as f:
        data = f.read()
    n, nin = meta["n_inputs"], len(meta["inputs"])
    xs = [[np.load(os.path.join(out_dir, f"{variant}.input_{i}_{k}.npy")) for k in range(nin)]
          for i in range(n)]
    for key, resolver in want:
        try:
            _, outs, _, _, _, _ = litert_reference(data, xs, True, [resolver])
        except RuntimeError as e:
            meta[key + "_error"] = str(e)[:200]
            continue
        spread = 0.0
        for i in range(n):
            for k, y in enumerate(outs[i]):
                r = np.load(os.path.join(out_dir, f"{variant}.ref_{i}_{k}.npy"))
                if r.dtype.kind == "f" and r.size:
                    spread = max(spread, float(np.max(np.abs(y.astype(np.float64) - r))))
        meta[key] = spread
    write_json(path, meta)


def generate_model(tf, source, name, build, input_specs, float_inputs, calib,
                   variants, out_dir, extra_meta=None):
    """Builds (lazily, once) and converts one model for each missing variant.
    Conversion or LiteRT errors are recorded in the variant json (the check
    reports them as failures). Returns the number of variants made."""
    os.makedirs(out_dir, exist_ok=True)
    todo = [v for v in variants if not variant_done(out_dir, v)]
    if not todo:
        for v in variants:
            add_litert_spread(out_dir, v)
        return 0
    t0 = time.time()
    model = build()
    t_build = time.time() - t0
    for v in todo:
        meta = {"gen_version": GEN_VERSION, "source": source, "model": name,
                "variant": v, "n_inputs": len(float_inputs),
                "reference": "LiteRT BUILTIN_REF",
                "tf": tf.__version__, "build_s": round(t_build, 1)}
        meta.update(extra_meta or {})
        t1 = time.time()
        try:
            data = convert(tf, model, input_specs, v, calib)
            meta["convert_s"] = round(time.time() - t1, 1)
            t2 = time.time()
            fed, outs, ops, ind, outd, meta["reference"] = litert_reference(
                data, float_inputs, v in INTEGER_VARIANTS)
            meta["reference_s"] = round(time.time() - t2, 1)
            meta.update(ops=ops, inputs=ind, outputs=outd, bytes=len(data))
        except Exception as e:  # recorded, reported as a failure by the check
            meta["error"] = f"{type(e).__name__}: {str(e).strip().splitlines()[-1][:300]}" \
                if str(e).strip() else type(e).__name__
            write_json(os.path.join(out_dir, v + ".json"), meta)
            print(f"  {name}/{v}: ERROR {meta['error']}", file=sys.stderr, flush=True)
            continue
        save_variant(out_dir, v, data, fed, outs, meta)
        print(f"  {name}/{v}: {len(ops)} ops, {len(data) / 1e6:.1f} MB, convert "
              f"{meta['convert_s']}s, LiteRT {meta['reference_s']}s", file=sys.stderr,
              flush=True)
    del model
    tf.keras.backend.clear_session()
    for v in variants:
        if variant_done(out_dir, v):
            add_litert_spread(out_dir, v)
    return len(todo)


def calibrate_batchnorm(model, batch):
    """Sets every BatchNormalization's moving statistics to those of a
    seeded image batch (one training-mode call with momentum 0). Without
    this, random initialisation shrinks activations layer after layer until
    the logits are ~1e-8 and every softmax output is 1/classes, which a
    wrong kernel would pass too; with it, each BN output has unit scale."""
    import tensorflow as tf
    bns = [l for l in model._flatten_layers() if isinstance(
        l, tf.keras.layers.BatchNormalization)]
    saved = [l.momentum for l in bns]
    for l in bns:
        l.momentum = 0.0
    model(np.concatenate(batch, axis=0), training=True)
    for l, m in zip(bns, saved):
        l.momentum = m


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--apps", help="comma-separated subset of: " + ", ".join(APPS))
    ap.add_argument("--variants", help="comma-separated subset of: " + ", ".join(VARIANTS))
    ap.add_argument("--out", default=ROOT_DIR, help="cache root (default .cache/keras)")
    ap.add_argument("--litert-child", nargs=2, metavar=("DIR", "RESOLVER"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.litert_child:
        return litert_child(*args.litert_child)
    apps = args.apps.split(",") if args.apps else list(APPS)
    variants = args.variants.split(",") if args.variants else VARIANTS
    bad = [a for a in apps if a not in APPS] + [v for v in variants if v not in VARIANTS]
    if bad:
        print(f"error: unknown app/variant: {', '.join(bad)}", file=sys.stderr)
        return 2
    if all(variant_done(os.path.join(args.out, a), v) for a in apps for v in variants):
        for a in apps:
            for v in variants:
                add_litert_spread(os.path.join(args.out, a), v)
        return 0
    import tensorflow as tf
    shape = (1, INPUT_SIZE, INPUT_SIZE, 3)
    for app in apps:
        ctor, rng_range = APPS[app]
        out_dir = os.path.join(args.out, app)

        def build(ctor=ctor, app=app, rng_range=rng_range):
            tf.keras.utils.set_random_seed(seed_of(app))
            model = getattr(tf.keras.applications, ctor)(
                weights=None, input_shape=shape[1:], classes=1000,
                classifier_activation=None)
            calibrate_batchnorm(model, images(app, "bnstats", 8, shape, rng_range))
            return model
        tests = [[x] for x in images(app, "test", N_INPUTS, shape, rng_range)]
        calib = [[x] for x in images(app, "calib", CALIB_SAMPLES, shape, rng_range)]
        t0 = time.time()
        n = generate_model(tf, "keras", app, build, [tf.TensorSpec(shape, tf.float32)],
                           tests, calib, variants, out_dir,
                           {"input_size": INPUT_SIZE, "input_range": list(rng_range)})
        if n:
            print(f"{app}: {n} variant(s) in {time.time() - t0:.0f}s", file=sys.stderr,
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

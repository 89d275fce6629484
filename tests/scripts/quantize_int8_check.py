#!/usr/bin/env python3
"""Helpers for tests/scripts/test_quantize_int8.sh and the docs/tools.md
comparison of `pocketnn quantize --mode int8`.

  calib-digits DIR           digits TRAIN split as .npy (calibration data)
  calib-random MODEL DIR N [SEED]  N seeded random inputs (uniform [-1, 1])
                             as .npy (SEED default 1234 = the calibration
                             set; another seed gives a held-out set)
  digits-acc MODEL           LiteRT test-split accuracy of a digits model
  agree MODEL DIR POCKETNN   LiteRT (BUILTIN_REF) vs `pocketnn run` on the
                             first 3 inputs of DIR: exact or 1 step on
                             <= 0.1% of elements (int8), float rtol
  cosine FLOAT QUANT DIR     mean/min cosine of QUANT vs FLOAT over DIR
                             (LiteRT)
  tf-int8 APP DIR OUT        TF converter int8 model of Keras APP calibrated
                             on DIR (float interface; OUT.float.tflite too)
Each check prints its figures and exits 1 on failure.
"""
import glob
import os
import subprocess
import sys
import tempfile

import numpy as np

SEED = 1234


def digits_split():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    d = load_digits()
    x = (d.images.astype(np.float32) / 16.0)[..., None]
    idx = np.arange(len(x))
    tr, te = train_test_split(idx, test_size=0.25, random_state=SEED,
                              stratify=d.target)
    return x, d.target, np.sort(tr), np.sort(te)


def interp(path, ref=False):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    kw = {}
    if ref:
        kw["experimental_op_resolver_type"] = OpResolverType.BUILTIN_REF
    it = Interpreter(model_path=path, **kw)
    it.allocate_tensors()
    return it


def run(it, x):
    di = it.get_input_details()[0]
    do = it.get_output_details()[0]
    if di["dtype"] != np.float32:
        s, z = di["quantization"]
        x = np.clip(np.round(x / s + z), np.iinfo(di["dtype"]).min,
                    np.iinfo(di["dtype"]).max).astype(di["dtype"])
    it.set_tensor(di["index"], x)
    it.invoke()
    y = it.get_tensor(do["index"])
    return y


def deq(it, y):
    do = it.get_output_details()[0]
    if do["dtype"] == np.float32:
        return y.astype(np.float32)
    s, z = do["quantization"]
    return (y.astype(np.float32) - z) * s


def calib_digits(out):
    x, _, tr, _ = digits_split()
    os.makedirs(out, exist_ok=True)
    for k, i in enumerate(tr):
        np.save(os.path.join(out, f"train{k:04d}.npy"), x[i:i + 1])


def calib_random(model, out, n, seed=SEED):
    it = interp(model)
    shape = it.get_input_details()[0]["shape"]
    rng = np.random.default_rng(seed)
    os.makedirs(out, exist_ok=True)
    for k in range(n):
        np.save(os.path.join(out, f"r{k:04d}.npy"),
                rng.uniform(-1, 1, shape).astype(np.float32))


def digits_acc(model):
    x, y, _, te = digits_split()
    it = interp(model)
    ok = sum(int(np.argmax(deq(it, run(it, x[i:i + 1])))) == y[i] for i in te)
    print(f"accuracy {ok / len(te):.4f} ({ok}/{len(te)})")


def agree(model, d, pocketnn):
    files = sorted(glob.glob(os.path.join(d, "*.npy")))[:3]
    it = interp(model, ref=True)
    bad = 0
    for f in files:
        x = np.load(f)
        run(it, x)
        di = it.get_input_details()[0]
        with tempfile.TemporaryDirectory() as tmp:
            xin = x
            if di["dtype"] != np.float32:
                s, z = di["quantization"]
                info = np.iinfo(di["dtype"])
                xin = np.clip(np.round(x / s + z), info.min,
                              info.max).astype(di["dtype"])
            np.save(os.path.join(tmp, "in.npy"), xin)
            subprocess.run([pocketnn, "run", model, "--input",
                            "0=" + os.path.join(tmp, "in.npy"),
                            "--save-outputs", tmp, "--raw"],
                           check=True, capture_output=True)
            outs = sorted(glob.glob(os.path.join(tmp, "output_*.npy")))
            gots = [np.load(o) for o in outs]
        for k, do in enumerate(it.get_output_details()):
            ref = it.get_tensor(do["index"])
            got = gots[k].reshape(ref.shape)
            bad += not agree_one(it, do, ref, got, f)
    print("agree" if not bad else "DISAGREE")
    return bad == 0


def agree_one(it, do, ref, got, f):
    if ref.dtype == np.float32:
        # float interface: compare in quantization steps of the output
        diff = np.abs(got.astype(np.float64) - ref)
        step = None
        for t in it.get_tensor_details():
            if t["name"] in (do["name"] + "/int8", do["name"] + "/int16"):
                step = t["quantization"][0]
        if step is None:
            for t in it.get_tensor_details():
                if t["name"].endswith(("/int8", "/int16")) and \
                        tuple(t["shape"]) == tuple(ref.shape):
                    step = t["quantization"][0]
        tol = (step if step else 1e-5) * 1.001 + 1e-6
        nbad = int(np.sum(diff > tol))
        big = int(np.sum(diff > 1e-6))
        # within one step everywhere, and either <= 0.1% differ or the
        # difference is within float tolerance (a float op kept inside
        # the model, e.g. MEAN in 16x8, rounds differently)
        ftol = 1e-4 * max(1.0, float(np.abs(ref).max()))
        ok = nbad == 0 and (big <= max(1, ref.size // 1000) or
                            diff.max() <= ftol)
        print(f"{os.path.basename(f)}: max |diff| {diff.max():.3g} "
              f"(step {step}), {big} differ of {ref.size}; "
              f"output {do['name']}")
    else:
        diff = np.abs(got.astype(np.int32) - ref.astype(np.int32))
        big = int(np.sum(diff > 0))
        ok = diff.max() <= 1 and big <= max(1, ref.size // 1000)
        print(f"{os.path.basename(f)}: max step diff {diff.max()}, "
              f"{big} of {ref.size} differ; output {do['name']}")
    return ok


def outputs(it, x):
    run(it, x)
    res = []
    for do in it.get_output_details():
        y = it.get_tensor(do["index"]).astype(np.float32)
        if do["dtype"] != np.float32:
            s, z = do["quantization"]
            y = (y - z) * s
        res.append(y.ravel().astype(np.float64))
    return res


def cosine(fm, qm, d):
    """Cosine of every output (concatenated) of QUANT vs FLOAT; top-1 on
    output 0."""
    files = sorted(glob.glob(os.path.join(d, "*.npy")))
    fi, qi = interp(fm), interp(qm)
    cs, top = [], 0
    for f in files:
        x = np.load(f)
        fa, qb = outputs(fi, x), outputs(qi, x)
        top += int(np.argmax(fa[0]) == np.argmax(qb[0]))
        a, b = np.concatenate(fa), np.concatenate(qb)
        cs.append(float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) +
                                 1e-30)))
    print(f"cosine mean {np.mean(cs):.4f} min {np.min(cs):.4f} "
          f"over {len(cs)} inputs; top-1 agreement {top}/{len(cs)}; "
          f"size {os.path.getsize(qm)} bytes")
    return float(np.mean(cs))


def tf_int8(app, d, out):
    """The TF converter's int8 model of Keras app (built as
    tools/conformance/gen_keras.py builds it) calibrated on the .npy files
    of d, float interface (as pocketnn's default --io float)."""
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    sys.path.insert(0, os.path.join(root, "tools", "conformance"))
    import gen_keras
    import tensorflow as tf
    ctor, rng_range = gen_keras.APPS[app]
    shape = (1, gen_keras.INPUT_SIZE, gen_keras.INPUT_SIZE, 3)
    tf.keras.utils.set_random_seed(gen_keras.seed_of(app))
    model = getattr(tf.keras.applications, ctor)(
        weights=None, input_shape=shape[1:], classes=1000,
        classifier_activation=None)
    gen_keras.calibrate_batchnorm(
        model, gen_keras.images(app, "bnstats", 8, shape, rng_range))
    files = sorted(glob.glob(os.path.join(d, "*.npy")))
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = lambda: ([np.load(f)] for f in files)
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    open(out, "wb").write(conv.convert())
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    open(out + ".float.tflite", "wb").write(conv.convert())


def main(a):
    if a[0] == "calib-digits":
        calib_digits(a[1])
    elif a[0] == "calib-random":
        calib_random(a[1], a[2], int(a[3]),
                     int(a[4]) if len(a) > 4 else SEED)
    elif a[0] == "digits-acc":
        digits_acc(a[1])
    elif a[0] == "agree":
        return 0 if agree(a[1], a[2], a[3]) else 1
    elif a[0] == "cosine":
        c = cosine(a[1], a[2], a[3])
        if len(a) > 4 and c < float(a[4]):
            print(f"cosine {c:.4f} < {a[4]}")
            return 1
    elif a[0] == "tf-int8":
        tf_int8(a[1], a[2], a[3])
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

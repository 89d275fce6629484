#!/usr/bin/env python3
"""Trains the bundled demo model: a small CNN on scikit-learn's 8x8 digits.

    .venv/bin/python tools/train_digits.py        (or: make demo-model)

Writes, under models/digits/:
  digits.tflite   float32 model, input [1,8,8,1] in [0,1], output [1,10]
                  softmax probabilities
  labels.txt      one label per output index ("0" .. "9")
  samples/*.png   a few TEST-split digits as 8-bit grayscale PNGs, named
                  <label>_test<index>.png
  metrics.json    split sizes, seeds and the test accuracy measured in LiteRT
  README.md       what the model is, its accuracy and how to regenerate it

Scaling matches `pocketnn classify`'s default normalization (pixel/255):
the dataset's values 0..16 are trained as v/16, and a sample PNG stores
round(v/16*255), which classify maps back to v/16 (within 1/510).
Seeds are fixed and TensorFlow's deterministic ops are enabled, so a rerun
on the same versions reproduces the model.
"""
import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 1234
TEST_FRACTION = 0.25
EPOCHS = 40
SAMPLES_PER_CLASS = 1


def load_split():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    d = load_digits()
    x = (d.images.astype(np.float32) / 16.0)[..., None]  # [N,8,8,1] in [0,1]
    idx = np.arange(len(x))
    tr, te = train_test_split(idx, test_size=TEST_FRACTION, random_state=SEED,
                              stratify=d.target)
    return d, x, d.target.astype(np.int64), np.sort(tr), np.sort(te)


def build_model(tf):
    L = tf.keras.layers
    return tf.keras.Sequential([
        tf.keras.Input(shape=(8, 8, 1), name="image"),
        L.Conv2D(16, 3, padding="same", activation="relu"),
        L.Conv2D(32, 3, padding="same", activation="relu"),
        L.MaxPooling2D(2),
        L.Conv2D(32, 3, padding="same", activation="relu"),
        L.Flatten(),
        L.Dropout(0.25, seed=SEED),
        L.Dense(64, activation="relu"),
        L.Dense(10),
        L.Softmax(),
    ])


def convert(tf, model):
    """Float32 TFLite with a fixed batch of 1 (the shape classify feeds).
    The variables are frozen into constants first, so the model holds its
    weights as plain constant tensors (no VAR_HANDLE/READ_VARIABLE ops)."""
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2)
    spec = tf.TensorSpec([1, 8, 8, 1], tf.float32, name="image")
    fn = tf.function(lambda x: model(x, training=False), input_signature=[spec])
    frozen = convert_variables_to_constants_v2(fn.get_concrete_function())
    conv = tf.lite.TFLiteConverter.from_concrete_functions([frozen])
    return conv.convert()


def litert_accuracy(model_bytes, x, y):
    from ai_edge_litert import interpreter as litert
    it = litert.Interpreter(model_content=model_bytes)
    it.allocate_tensors()
    i, o = it.get_input_details()[0]["index"], it.get_output_details()[0]["index"]
    correct = 0
    for k in range(len(x)):
        it.set_tensor(i, x[k:k + 1])
        it.invoke()
        correct += int(np.argmax(it.get_tensor(o)[0]) == y[k])
    return correct / len(x)


def write_samples(out_dir, digits, te):
    """The first SAMPLES_PER_CLASS test images of each digit, as PNGs."""
    from PIL import Image
    os.makedirs(out_dir, exist_ok=True)
    for f in os.listdir(out_dir):
        if f.endswith(".png"):
            os.remove(os.path.join(out_dir, f))
    names = []
    for label in range(10):
        for k in [k for k in te if digits.target[k] == label][:SAMPLES_PER_CLASS]:
            pix = np.round(digits.images[k] / 16.0 * 255.0).astype(np.uint8)
            name = f"{label}_test{k:04d}.png"
            Image.fromarray(pix, mode="L").save(os.path.join(out_dir, name))
            names.append(name)
    return names


def sample_predictions(model_bytes, sample_dir, names):
    """LiteRT's top-1 label and score for each sample PNG, read the way
    classify reads it (pixel/255): the expected demo output."""
    from PIL import Image
    from ai_edge_litert import interpreter as litert
    it = litert.Interpreter(model_content=model_bytes)
    it.allocate_tensors()
    i, o = it.get_input_details()[0]["index"], it.get_output_details()[0]["index"]
    preds = {}
    for n in names:
        pix = np.asarray(Image.open(os.path.join(sample_dir, n)), np.float32) / 255.0
        it.set_tensor(i, pix[None, :, :, None])
        it.invoke()
        p = it.get_tensor(o)[0]
        preds[n] = {"label": str(int(np.argmax(p))), "score": round(float(np.max(p)), 6)}
    return preds


def write_readme(path, m):
    sample_rows = "\n".join(
        f"| `{n}` | {n.split('_')[0]} | {p['label']} | {p['score']:.4f} |"
        for n, p in m["sample_predictions"].items())
    text = f"""# digits: the bundled demo model

A small CNN trained on scikit-learn's 8x8 handwritten digits (1797 images,
10 classes) by `tools/train_digits.py`, converted to a float32 `.tflite` with
the TFLite converter.

| | |
|---|---|
| input | `image`: float32 `[1, 8, 8, 1]`, grayscale in [0, 1] (pixel/255) |
| output | float32 `[1, 10]`, softmax probabilities for labels `0`..`9` |
| layers | CONV 3x3x16, CONV 3x3x32, MAX_POOL 2x2, CONV 3x3x32, FC 64, FC 10, SOFTMAX |
| size | {m['model_bytes']} bytes |
| split | {m['train']} train / {m['test']} test images (stratified, seed {m['seed']}) |
| **test accuracy (LiteRT)** | **{m['test_accuracy'] * 100:.2f}%** ({m['test_correct']}/{m['test']}) |
| accuracy on the 8-bit PNG-quantized test images | {m['test_accuracy_png'] * 100:.2f}% |

`samples/` holds one test-split image per digit as an 8-bit grayscale PNG
named `<label>_test<index>.png` (pixel = round(value/16*255)), so

    make demo
    # = build/pocketnn classify --model models/digits/digits.tflite \\
    #       --labels models/digits/labels.txt models/digits/samples/*.png

prints the predicted label, score and time for each image. LiteRT's
top-1 for each sample (the output to expect; a wrong one is one of the
test-split errors, kept rather than hiding it by picking other samples):

| sample | true label | LiteRT top-1 | score |
|---|---|---|---|
{sample_rows}

## Regenerate

    scripts/setup_venv.sh                      # pinned TF, LiteRT, sklearn
    .venv/bin/python tools/train_digits.py     # rewrites this directory

Seeds are fixed and TensorFlow's deterministic ops are on, so the same
package versions ({m['versions']}) give the same model.
"""
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description="Train the bundled digits demo model.")
    ap.add_argument("--out", default=os.path.join(ROOT, "models", "digits"))
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    args = ap.parse_args()

    import tensorflow as tf
    tf.get_logger().setLevel("ERROR")
    tf.keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()

    digits, x, y, tr, te = load_split()
    model = build_model(tf)
    model.compile(optimizer=tf.keras.optimizers.Adam(1e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x[tr], y[tr], epochs=args.epochs, batch_size=32, shuffle=True,
              verbose=0)
    keras_acc = float(model.evaluate(x[te], y[te], verbose=0)[1])

    tflite = convert(tf, model)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "digits.tflite"), "wb") as f:
        f.write(tflite)
    with open(os.path.join(args.out, "labels.txt"), "w") as f:
        f.write("".join(f"{i}\n" for i in range(10)))

    acc = litert_accuracy(tflite, x[te], y[te])
    # What classify actually sees: the PNG's 8-bit pixels divided by 255.
    x_png = (np.round(x * 255.0) / 255.0).astype(np.float32)
    acc_png = litert_accuracy(tflite, x_png[te], y[te])
    samples = write_samples(os.path.join(args.out, "samples"), digits, te)
    preds = sample_predictions(tflite, os.path.join(args.out, "samples"), samples)

    import ai_edge_litert
    import sklearn
    m = {"seed": SEED, "epochs": args.epochs, "train": int(len(tr)), "test": int(len(te)),
         "test_accuracy": acc, "test_correct": int(round(acc * len(te))),
         "test_accuracy_png": acc_png, "keras_test_accuracy": keras_acc,
         "model_bytes": len(tflite), "samples": samples, "sample_predictions": preds,
         "versions": f"tensorflow-cpu {tf.__version__}, ai-edge-litert "
                     f"{getattr(ai_edge_litert, '__version__', '?')}, "
                     f"scikit-learn {sklearn.__version__}, numpy {np.__version__}"}
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(m, f, indent=1)
        f.write("\n")
    write_readme(os.path.join(args.out, "README.md"), m)
    print(f"digits: test accuracy {acc * 100:.2f}% in LiteRT "
          f"({acc_png * 100:.2f}% on PNG-quantized inputs), keras {keras_acc * 100:.2f}%, "
          f"{len(tflite)} bytes -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

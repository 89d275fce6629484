"""Writes small converter-made models that exercise the reader's
quantization paths: full int8 (per-channel weights, int32 biases), dynamic
range, float16 weights and int16x8 activations. Usage: OUT_DIR."""
import os
import sys

import numpy as np
import tensorflow as tf


def keras_model():
    tf.keras.utils.set_random_seed(0)
    inp = tf.keras.Input((16, 16, 3))
    x = tf.keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inp)
    x = tf.keras.layers.DepthwiseConv2D(3, depth_multiplier=2,
                                        padding="same")(x)
    x = tf.keras.layers.Conv2D(4, 1)(x)
    x = tf.keras.layers.GlobalAveragePooling2D()(x)
    out = tf.keras.layers.Dense(5, activation="softmax")(x)
    return tf.keras.Model(inp, out)


def representative():
    rng = np.random.default_rng(0)
    for _ in range(8):
        yield [rng.standard_normal((1, 16, 16, 3)).astype(np.float32)]


def convert(model, mode):
    c = tf.lite.TFLiteConverter.from_keras_model(model)
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "int8":
        c.representative_dataset = representative
        c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        c.inference_input_type = tf.int8
        c.inference_output_type = tf.int8
    elif mode == "f16":
        c.target_spec.supported_types = [tf.float16]
    elif mode == "i16":
        c.representative_dataset = representative
        c.target_spec.supported_ops = [
            tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
    return c.convert()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    model = keras_model()
    for mode in ("int8", "dyn", "f16", "i16"):
        with open(os.path.join(out, "quant_%s.tflite" % mode), "wb") as f:
            f.write(convert(model, mode))


if __name__ == "__main__":
    main()

"""Activations over float32: the RELU family, LEAKY_RELU (alphas), PRELU
(broadcast alpha), ELU, HARD_SWISH, GELU (approximate and exact), LOGISTIC,
TANH, SOFTMAX (betas, ranks, large values) and LOG_SOFTMAX, over scalar,
size-1, batch > 1 and empty shapes."""
import numpy as np
import tensorflow as tf

from cases import Case, In

SHAPES = [("vec", [9]), ("4d", [2, 3, 4, 5]), ("ones", [1, 1, 1])]

POINTWISE = {
    "RELU": tf.nn.relu,
    "RELU6": tf.nn.relu6,
    "RELU_N1_TO_1": lambda x: tf.clip_by_value(x, -1.0, 1.0),
    "LEAKY_RELU": lambda x: tf.nn.leaky_relu(x, alpha=0.2),
    "ELU": tf.nn.elu,
    "HARD_SWISH": lambda x: x * tf.nn.relu6(x + 3.0) / 6.0,
    "GELU": lambda x: tf.nn.gelu(x, approximate=False),
    "LOGISTIC": tf.sigmoid,
    "TANH": tf.tanh,
}

CASES = []
for op, fn in POINTWISE.items():
    for tag, shape in SHAPES:
        CASES.append(Case(f"{op.lower()}_{tag}", fn,
                          [In(shape, low=-8.0, high=8.0)], op=op))

rng = np.random.default_rng(3)
ALPHA_C = rng.uniform(0.0, 0.5, (5,)).astype(np.float32)
ALPHA_HWC = rng.uniform(-0.5, 0.5, (3, 4, 5)).astype(np.float32)
ALPHA_11C = rng.uniform(0.0, 0.5, (1, 1, 5)).astype(np.float32)


def prelu(alpha):
    # Keras' PReLU form, which the converter fuses into PRELU.
    return lambda x: tf.nn.relu(x) + (-alpha) * tf.nn.relu(-x)


# RELU_0_TO_1 has no TF pattern the converter fuses; it is checked in
# tests/test_ops_elementwise.c.
CASES += [
    Case("leaky_relu_alpha_neg", lambda x: tf.nn.leaky_relu(x, alpha=-0.5),
         [In([4, 6])], op="LEAKY_RELU"),
    Case("leaky_relu_alpha_big", lambda x: tf.nn.leaky_relu(x, alpha=1.7),
         [In([4, 6])], op="LEAKY_RELU"),
    Case("gelu_approx", lambda x: tf.nn.gelu(x, approximate=True),
         [In([3, 7], low=-6, high=6)], op="GELU"),
    Case("logistic_large", tf.sigmoid, [In([50], low=-100, high=100)],
         op="LOGISTIC"),
    Case("tanh_large", tf.tanh, [In([50], low=-30, high=30)], op="TANH"),
    Case("prelu_channel", prelu(ALPHA_C), [In([2, 3, 4, 5])], op="PRELU"),
    Case("prelu_hwc", prelu(ALPHA_HWC), [In([2, 3, 4, 5])], op="PRELU"),
    Case("prelu_11c", prelu(ALPHA_11C), [In([1, 3, 4, 5])], op="PRELU"),
    Case("softmax_2d", tf.nn.softmax, [In([3, 10], low=-5, high=5)],
         op="SOFTMAX"),
    Case("softmax_4d", tf.nn.softmax, [In([2, 3, 4, 6], low=-5, high=5)],
         op="SOFTMAX"),
    Case("softmax_1d", tf.nn.softmax, [In([7])], op="SOFTMAX"),
    Case("softmax_depth1", tf.nn.softmax, [In([4, 1])], op="SOFTMAX"),
    Case("softmax_large", tf.nn.softmax, [In([2, 8], low=-500, high=500)],
         op="SOFTMAX"),
    Case("softmax_beta", lambda x: tf.nn.softmax(x * 0.5),
         [In([3, 6], low=-5, high=5)], op="SOFTMAX"),
    Case("log_softmax_2d", tf.nn.log_softmax, [In([3, 10], low=-5, high=5)],
         op="LOG_SOFTMAX"),
    Case("log_softmax_large", tf.nn.log_softmax,
         [In([2, 3, 8], low=-300, high=300)], op="LOG_SOFTMAX"),
]

"""Full-integer int8 and 16x8 variants of the elementwise, activation,
normalization, resize and data-movement ops (issue 6, part 2): ADD, SUB,
MUL, SQUARED_DIFFERENCE, MAXIMUM, MINIMUM (with broadcasting and fused
activations), comparisons, the RELU family, LEAKY_RELU, PRELU, HARD_SWISH,
ELU, GELU, LOGISTIC, TANH, SOFTMAX, LOG_SOFTMAX, L2_NORMALIZATION,
RESIZE_BILINEAR / NEAREST_NEIGHBOR, CONCATENATION of differently scaled
inputs, PAD / PADV2, MEAN / SUM / REDUCE_MAX / REDUCE_MIN, ARG_MAX / ARG_MIN
and reshapes / transposes / slices, plus float-edged ("int8f") models whose
QUANTIZE / DEQUANTIZE sit at the inputs and outputs.

References come from LiteRT's reference kernels (BUILTIN_REF); outputs must
match exactly or within one step on at most 0.1% of elements."""
import numpy as np
import tensorflow as tf

from cases import Case, In

rng = np.random.default_rng(11)
CVEC = rng.uniform(-1.0, 2.0, (8,)).astype(np.float32)
ALPHA = rng.uniform(0.05, 0.5, (8,)).astype(np.float32)


def prelu(alpha):
    return lambda x: tf.nn.relu(x) + (-alpha) * tf.nn.relu(-x)


def keras_prelu(shape, alpha):
    layer = tf.keras.layers.PReLU(
        alpha_initializer=tf.keras.initializers.Constant(alpha),
        shared_axes=None)
    layer.build([None] + list(shape[1:]))
    return lambda x: layer(x)


def concat_scaled(a, b):
    # Different ranges give the two inputs different scales: requantize.
    return tf.concat([a * 4.0, b], axis=-1)


BINARY = [
    ("add", lambda a, b: a + b, [[2, 3, 8], [2, 3, 8]], "ADD"),
    ("add_bcast", lambda a, b: a + b, [[2, 3, 8], [8]], "ADD"),
    ("add_relu", lambda a, b: tf.nn.relu(a + b), [[4, 8], [4, 8]], "ADD"),
    ("add_relu6", lambda a, b: tf.nn.relu6(a + b), [[4, 8], [1, 8]], "ADD"),
    ("sub", lambda a, b: a - b, [[2, 3, 8], [1, 3, 1]], "SUB"),
    ("mul", lambda a, b: a * b, [[2, 3, 8], [2, 3, 8]], "MUL"),
    ("mul_const", lambda a: a * CVEC, [[4, 8]], "MUL"),
    ("mul_bcast", lambda a, b: a * b, [[2, 4, 8], [4, 1]], "MUL"),
    ("maximum", lambda a, b: tf.maximum(a, b), [[4, 8], [4, 8]], "MAXIMUM"),
    ("minimum", lambda a, b: tf.minimum(a, b), [[4, 8], [1, 8]], "MINIMUM"),
]

POINTWISE = [
    ("relu", tf.nn.relu, "RELU", 4.0),
    ("relu6", tf.nn.relu6, "RELU6", 8.0),
    ("leaky_relu", lambda x: tf.nn.leaky_relu(x, alpha=0.2), "LEAKY_RELU", 4.0),
    ("leaky_relu_neg", lambda x: tf.nn.leaky_relu(x, alpha=-0.5), "LEAKY_RELU",
     4.0),
    ("logistic", tf.sigmoid, "LOGISTIC", 8.0),
    ("tanh", tf.tanh, "TANH", 4.0),
    ("gelu", lambda x: tf.nn.gelu(x, approximate=False), "GELU", 4.0),
    ("gelu_approx", lambda x: tf.nn.gelu(x, approximate=True), "GELU", 4.0),
    ("softmax", tf.nn.softmax, "SOFTMAX", 4.0),
    ("softmax_wide", tf.nn.softmax, "SOFTMAX", 10.0),
]

CASES = []
for mode in ("int8", "16x8"):
    for name, fn, shapes, op in BINARY:
        CASES.append(Case(f"{name}_{mode}", fn, [In(s, low=-4, high=4) for s in shapes],
                          op=op, quant=mode))
    for name, fn, op, r in POINTWISE:
        CASES.append(Case(f"{name}_{mode}", fn, [In([3, 40], low=-r, high=r)],
                          op=op, quant=mode))

CASES += [
    Case("relu_n1_to_1_int8", lambda x: tf.clip_by_value(x, -1.0, 1.0),
         [In([4, 8], low=-3, high=3)], op="RELU_N1_TO_1", quant="int8"),
    Case("hard_swish_int8", lambda x: x * tf.nn.relu6(x + 3.0) / 6.0,
         [In([4, 16], low=-6, high=6)], op="HARD_SWISH", quant="int8"),
    Case("hard_swish_wide_int8", lambda x: x * tf.nn.relu6(x + 3.0) / 6.0,
         [In([4, 16], low=-40, high=40)], op="HARD_SWISH", quant="int8"),
    Case("sqdiff_int8", lambda a, b: tf.math.squared_difference(a, b),
         [In([4, 8]), In([4, 8])], op="SQUARED_DIFFERENCE", quant="int8"),
    Case("sqdiff_bcast_int8", lambda a, b: tf.math.squared_difference(a, b),
         [In([2, 4, 8]), In([8])], op="SQUARED_DIFFERENCE", quant="int8"),
    Case("less_int8", lambda a, b: tf.cast(tf.less(a, b), tf.float32) + a,
         [In([4, 8]), In([4, 8])], op="LESS", quant="int8"),
    Case("greater_equal_int8",
         lambda a, b: tf.cast(tf.greater_equal(a * 3.0, b), tf.float32) + b,
         [In([4, 8]), In([1, 8])], op="GREATER_EQUAL", quant="int8"),
    Case("softmax_tiny_int8", tf.nn.softmax, [In([4, 7], low=-0.1, high=0.1)],
         op="SOFTMAX", quant="int8"),
    Case("softmax_large_int8", tf.nn.softmax, [In([4, 7], low=-100, high=100)],
         op="SOFTMAX", quant="int8"),
    Case("softmax_beta_int8", lambda x: tf.nn.softmax(x * 0.5),
         [In([3, 6], low=-5, high=5)], op="SOFTMAX", quant="int8"),
    Case("softmax_4d_int8", tf.nn.softmax, [In([2, 3, 4, 6], low=-5, high=5)],
         op="SOFTMAX", quant="int8"),
    Case("log_softmax_int8", tf.nn.log_softmax, [In([3, 10], low=-5, high=5)],
         op="LOG_SOFTMAX", quant="int8"),
    Case("prelu_int8", keras_prelu([1, 3, 4, 8], ALPHA), [In([1, 3, 4, 8])],
         op="PRELU", quant="int8"),
    Case("l2norm_int8", lambda x: tf.math.l2_normalize(x, axis=-1),
         [In([3, 16])], op="L2_NORMALIZATION", quant="int8"),
    Case("resize_bilinear_int8",
         lambda x: tf.image.resize(x, [7, 9], method="bilinear"),
         [In([1, 4, 5, 3])], op="RESIZE_BILINEAR", quant="int8"),
    Case("resize_bilinear_hp_int8",
         lambda x: tf.compat.v1.image.resize_bilinear(x, [8, 10], half_pixel_centers=True),
         [In([1, 4, 5, 3])], op="RESIZE_BILINEAR", quant="int8"),
    Case("resize_nearest_int8",
         lambda x: tf.image.resize(x, [8, 10], method="nearest"),
         [In([1, 4, 5, 3])], op="RESIZE_NEAREST_NEIGHBOR", quant="int8"),
    Case("concat_scaled_int8", concat_scaled, [In([2, 3, 4]), In([2, 3, 5])],
         op="CONCATENATION", quant="int8"),
    Case("concat_scaled_16x8", concat_scaled, [In([2, 3, 4]), In([2, 3, 5])],
         op="CONCATENATION", quant="16x8"),
    Case("pad_int8", lambda x: tf.pad(x, [[0, 0], [1, 2], [2, 1]]) + 0.5,
         [In([2, 3, 4], low=0, high=4)], op="PAD", quant="int8"),
    Case("padv2_int8",
         lambda x: tf.pad(x, [[0, 0], [1, 2], [2, 1]], constant_values=-1.5),
         [In([2, 3, 4])], op="PADV2", quant="int8"),
    Case("mean_int8", lambda x: tf.reduce_mean(x, axis=[1, 2]),
         [In([2, 4, 5, 8])], op="MEAN", quant="int8"),
    Case("mean_keep_int8", lambda x: tf.reduce_mean(x, axis=-1, keepdims=True),
         [In([3, 10])], op="MEAN", quant="int8"),
    Case("sum_int8", lambda x: tf.reduce_sum(x, axis=1), [In([3, 6, 4])],
         op="SUM", quant="int8"),
    Case("reduce_max_int8", lambda x: tf.reduce_max(x, axis=1), [In([3, 6, 4])],
         op="REDUCE_MAX", quant="int8"),
    Case("reduce_min_int8", lambda x: tf.reduce_min(x, axis=-1), [In([3, 6, 4])],
         op="REDUCE_MIN", quant="int8"),
    Case("arg_max_int8", lambda x: tf.argmax(x * 2.0, axis=-1), [In([3, 10])],
         op="ARG_MAX", quant="int8"),
    Case("arg_min_int8", lambda x: tf.argmin(x * 2.0, axis=1), [In([3, 10, 2])],
         op="ARG_MIN", quant="int8"),
    Case("reshape_transpose_int8",
         lambda x: tf.transpose(tf.reshape(x * 2.0, [2, 6, 4]), [0, 2, 1]),
         [In([4, 12])], op="TRANSPOSE", quant="int8"),
    Case("slice_int8", lambda x: tf.nn.relu(x)[:, 1:3, ::2], [In([2, 4, 8])],
         op="STRIDED_SLICE", quant="int8"),
    Case("add_float_io", lambda a, b: a + b, [In([4, 8]), In([4, 8])],
         op="ADD", quant="int8f"),
    Case("softmax_float_io", tf.nn.softmax, [In([3, 10])], op="SOFTMAX",
         quant="int8f"),
]

# Data movement on int8 / int16: byte copies that keep the quantization.
GIDX = np.array([3, 0, 2], dtype=np.int32)
MOVES = [
    ("gather", lambda x: tf.gather(x * 2.0, GIDX, axis=1), [2, 5, 3], "GATHER"),
    ("split", lambda x: tf.split(x * 2.0, 2, axis=-1)[1], [2, 3, 8], "SPLIT"),
    ("squeeze_expand",
     lambda x: tf.expand_dims(tf.squeeze(x * 2.0, axis=1), 0), [2, 1, 6],
     "SQUEEZE"),
    ("depth_to_space", lambda x: tf.nn.depth_to_space(x * 2.0, 2),
     [1, 2, 3, 8], "DEPTH_TO_SPACE"),
    ("space_to_depth", lambda x: tf.nn.space_to_depth(x * 2.0, 2),
     [1, 4, 6, 2], "SPACE_TO_DEPTH"),
    ("tile", lambda x: tf.tile(x * 2.0, [2, 1, 3]), [2, 3, 4], "TILE"),
    ("pack", lambda x: tf.stack([x * 2.0, x * 2.0], axis=1), [3, 4], "PACK"),
    ("unpack", lambda x: tf.unstack(x * 2.0, axis=1)[2], [3, 4, 2], "UNPACK"),
    ("mirror_pad",
     lambda x: tf.pad(x * 2.0, [[0, 0], [1, 1], [2, 2]], mode="REFLECT"),
     [2, 3, 4], "MIRROR_PAD"),
    ("space_to_batch",
     lambda x: tf.space_to_batch_nd(x * 2.0, [2, 2], [[0, 0], [0, 0]]),
     [1, 4, 4, 3], "SPACE_TO_BATCH_ND"),
    ("batch_to_space",
     lambda x: tf.compat.v1.batch_to_space_nd(x * 2.0, [2, 2], [[0, 0], [0, 0]]),
     [4, 2, 2, 3], "BATCH_TO_SPACE_ND"),
    ("reverse", lambda x: tf.reverse(x * 2.0, axis=[1]), [2, 5, 3], "REVERSE_V2"),
    ("broadcast_to", lambda x: tf.broadcast_to(x * 2.0, [3, 4, 5]), [4, 1],
     "BROADCAST_TO"),
]
# The converter has no 16x8 DEPTH_TO_SPACE / SPACE_TO_DEPTH.
NO_16X8 = {"depth_to_space", "space_to_depth"}
for mode in ("int8", "16x8"):
    for name, fn, shape, op in MOVES:
        if mode == "16x8" and name in NO_16X8:
            continue
        CASES.append(Case(f"{name}_{mode}", fn, [In(shape)], op=op, quant=mode))

CASES += [
    Case("resize_bilinear_16x8",
         lambda x: tf.image.resize(x, [7, 9], method="bilinear"),
         [In([1, 4, 5, 3])], op="RESIZE_BILINEAR", quant="16x8"),
    Case("resize_nearest_16x8",
         lambda x: tf.image.resize(x, [8, 10], method="nearest"),
         [In([1, 4, 5, 3])], op="RESIZE_NEAREST_NEIGHBOR", quant="16x8"),
    Case("pad_16x8", lambda x: tf.pad(x, [[0, 0], [1, 2], [2, 1]]) + 0.5,
         [In([2, 3, 4], low=0, high=4)], op="PAD", quant="16x8"),
    Case("mean_16x8", lambda x: tf.reduce_mean(x, axis=[1, 2]),
         [In([2, 4, 5, 8])], op="MEAN", quant="16x8"),
    Case("reduce_max_16x8", lambda x: tf.reduce_max(x, axis=1), [In([3, 6, 4])],
         op="REDUCE_MAX", quant="16x8"),
    Case("relu_float_io", tf.nn.relu, [In([4, 8])], op="RELU", quant="int8f"),
    Case("logistic_float_io", tf.sigmoid, [In([4, 8], low=-6, high=6)],
         op="LOGISTIC", quant="int8f"),
]
CASES += [
    Case("log_softmax_wide_int8", tf.nn.log_softmax,
         [In([2, 3, 40], low=-10, high=10)], op="LOG_SOFTMAX", quant="int8"),
    Case("log_softmax_tiny_int8", tf.nn.log_softmax,
         [In([4, 7], low=-0.2, high=0.2)], op="LOG_SOFTMAX", quant="int8"),
    Case("log_softmax_large_int8", tf.nn.log_softmax,
         [In([4, 9], low=-60, high=60)], op="LOG_SOFTMAX", quant="int8"),
]
CASES += [
    Case("sum_16x8", lambda x: tf.reduce_sum(x, axis=1), [In([3, 6, 4])],
         op="SUM", quant="16x8"),
    Case("sum_all_int8", lambda x: tf.reduce_sum(x, axis=[0, 1, 2]),
         [In([2, 5, 3], low=0, high=3)], op="SUM", quant="int8"),
    Case("sum_keep_int8", lambda x: tf.reduce_sum(x, axis=-1, keepdims=True),
         [In([4, 9])], op="SUM", quant="int8"),
]

# Legacy uint8 (the per-tensor int8 model rewritten to uint8 by gen_ops.py).
UINT8 = [
    ("add", lambda a, b: a + b, [[2, 3, 8], [8]], "ADD"),
    ("sub", lambda a, b: a - b, [[2, 3, 8], [1, 3, 1]], "SUB"),
    ("mul", lambda a, b: a * b, [[2, 3, 8], [2, 3, 8]], "MUL"),
    ("maximum", lambda a, b: tf.maximum(a, b), [[4, 8], [4, 8]], "MAXIMUM"),
    ("softmax", tf.nn.softmax, [[3, 10]], "SOFTMAX"),
    ("logistic", tf.sigmoid, [[4, 8]], "LOGISTIC"),
    ("tanh", tf.tanh, [[4, 8]], "TANH"),
    ("relu6", tf.nn.relu6, [[4, 8]], "RELU6"),
    ("leaky_relu", lambda x: tf.nn.leaky_relu(x, alpha=0.2), [[4, 8]],
     "LEAKY_RELU"),
    ("hard_swish", lambda x: x * tf.nn.relu6(x + 3.0) / 6.0, [[4, 16]],
     "HARD_SWISH"),
    ("gelu", lambda x: tf.nn.gelu(x, approximate=False), [[4, 8]], "GELU"),
    ("l2norm", lambda x: tf.math.l2_normalize(x, axis=-1), [[3, 16]],
     "L2_NORMALIZATION"),
    ("concat_scaled", concat_scaled, [[2, 3, 4], [2, 3, 5]], "CONCATENATION"),
    ("resize_bilinear",
     lambda x: tf.image.resize(x, [7, 9], method="bilinear"), [[1, 4, 5, 3]],
     "RESIZE_BILINEAR"),
    ("resize_nearest",
     lambda x: tf.image.resize(x, [8, 10], method="nearest"), [[1, 4, 5, 3]],
     "RESIZE_NEAREST_NEIGHBOR"),
    ("mean", lambda x: tf.reduce_mean(x, axis=[1, 2]), [[2, 4, 5, 8]], "MEAN"),
    ("pad", lambda x: tf.pad(x, [[0, 0], [1, 2], [2, 1]]) + 0.5, [[2, 3, 4]],
     "PAD"),
    ("less", lambda a, b: tf.cast(tf.less(a, b), tf.float32) + a,
     [[4, 8], [4, 8]], "LESS"),
]
for name, fn, shapes, op in UINT8:
    CASES.append(Case(f"{name}_uint8", fn, [In(s, low=-4, high=4) for s in shapes],
                      op=op, quant="uint8"))
# Large enough for the multi-threaded paths (>= 32768 elements).
CASES += [
    Case("add_large_int8", lambda a, b: a + b, [In([64, 1024]), In([1024])],
         op="ADD", quant="int8"),
    Case("logistic_large_int8", tf.sigmoid, [In([64, 1024], low=-6, high=6)],
         op="LOGISTIC", quant="int8"),
    Case("softmax_large_rows_int8", tf.nn.softmax,
         [In([512, 100], low=-6, high=6)], op="SOFTMAX", quant="int8"),
]

# Quantized unary math the converter emits: ABS, RSQRT, LOG, EXP.
UNARY = [
    ("abs", tf.abs, -4.0, 4.0, "ABS"),
    ("rsqrt", tf.math.rsqrt, 0.05, 4.0, "RSQRT"),
    ("log", tf.math.log, 0.05, 4.0, "LOG"),
    ("exp", tf.exp, -3.0, 1.0, "EXP"),
]
for mode in ("int8", "16x8"):
    for name, fn, lo, hi, op in UNARY:
        CASES.append(Case(f"{name}_{mode}", fn, [In([4, 16], low=lo, high=hi)],
                          op=op, quant=mode))
# int16 LOGISTIC / TANH: saturation, small and odd input ranges.
for name, fn, op in (("logistic", tf.sigmoid, "LOGISTIC"), ("tanh", tf.tanh, "TANH")):
    for tag, r in (("wide", 30.0), ("small", 0.3), ("mid", 5.5)):
        CASES.append(Case(f"{name}_{tag}_16x8", fn, [In([8, 64], low=-r, high=r)],
                          op=op, quant="16x8"))
CASES += [
    Case("log_softmax_uint8", tf.nn.log_softmax, [In([3, 10], low=-5, high=5)],
         op="LOG_SOFTMAX", quant="uint8"),
    Case("log_softmax_wide_uint8", tf.nn.log_softmax,
         [In([2, 3, 40], low=-10, high=10)], op="LOG_SOFTMAX", quant="uint8"),
]

# Quantized DIV (LiteRT's reference DivElementwise: fixed-point reciprocal
# of the divisor). LiteRT 2.3.0 accepts int8, uint8 and int16 DIV; the TF
# converter makes int8 (and, through the uint8 rewrite, uint8) models, not
# 16x8 ones. Divisors of both signs, away from zero (a divisor equal to its
# zero point is a division by zero).
DIV = [
    ("div", lambda a, b: a / b, [(-4, 4, [2, 3, 8]), (0.5, 3, [2, 3, 8])]),
    ("div_bcast", lambda a, b: a / b, [(-4, 4, [2, 3, 8]), (0.25, 2, [8])]),
    ("div_neg", lambda a, b: a / b, [(-2, 6, [4, 16]), (-3, -0.5, [4, 16])]),
    ("div_relu", lambda a, b: tf.nn.relu(a / b), [(-4, 4, [4, 8]), (1, 4, [4, 8])]),
    ("div_wide", lambda a, b: a / b, [(-50, 50, [8, 32]), (0.2, 8, [8, 32])]),
]
for mode in ("int8", "uint8"):
    for name, fn, ins in DIV:
        CASES.append(Case(f"{name}_{mode}", fn,
                          [In(s, low=lo, high=hi) for lo, hi, s in ins],
                          op="DIV", quant=mode))

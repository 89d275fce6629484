"""MEAN, SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN, REDUCE_ANY, REDUCE_ALL
(negative, duplicate and multiple axes, keep_dims, int types), ARG_MAX and
ARG_MIN (int32/int64 output, ties), CUMSUM (exclusive, reverse), int8
MEAN/SUM/MAX/MIN in fully quantized models, UNSORTED_SEGMENT_*."""
import numpy as np
import tensorflow as tf

from cases import Case, In

# Reducers by name (not function objects), so case hashes stay stable.
_RED = {
    "mean": ("MEAN", "reduce_mean"),
    "sum": ("SUM", "reduce_sum"),
    "prod": ("REDUCE_PROD", "reduce_prod"),
    "max": ("REDUCE_MAX", "reduce_max"),
    "min": ("REDUCE_MIN", "reduce_min"),
}

def _reducer(name, axis, keep=False):
    return lambda x: getattr(tf, name)(x, axis=axis, keepdims=keep)


# (suffix, axis, keep_dims, input shape)
_SWEEP = [
    ("axis1", 1, False, [2, 5, 3]),
    ("axes_keep", [0, 2], True, [3, 4, 2]),
    ("neg_axis", -1, False, [2, 3, 4]),
    ("all_axes", [0, 1], False, [3, 4]),
    ("dup_axes", [1, -2], False, [2, 3, 2]),
    ("hw_keep", [1, 2], True, [2, 4, 3, 5]),
]

CASES = []
for key, (op, f) in _RED.items():
    lo, hi = (0.5, 1.5) if key == "prod" else (-2, 2)
    CASES += [Case(f"{key}_{suffix}", _reducer(f, axis, keep),
                   [In(shape, low=lo, high=hi)], op=op)
              for suffix, axis, keep, shape in _SWEEP]
CASES += [
    Case("sum_int32", lambda x: tf.reduce_sum(x, axis=0),
         [In([4, 3], "int32", -100, 100)], op="SUM"),
    Case("max_int32", lambda x: tf.reduce_max(x, axis=1, keepdims=True),
         [In([3, 4], "int32", -100, 100)], op="REDUCE_MAX"),
    Case("prod_int32", lambda x: tf.reduce_prod(x, axis=1),
         [In([3, 4], "int32", -3, 3)], op="REDUCE_PROD"),
    Case("mean_int32", lambda x: tf.reduce_mean(x, axis=1),
         [In([3, 4], "int32", -100, 100)], op="MEAN"),
    Case("any_axis1", lambda x: tf.reduce_any(x, axis=1),
         [In([3, 4], "bool")], op="REDUCE_ANY"),
    Case("any_keep", lambda x: tf.reduce_any(x, axis=[0, 2], keepdims=True),
         [In([2, 3, 2], "bool")], op="REDUCE_ANY"),
    Case("all_axis0", lambda x: tf.reduce_all(x, axis=0),
         [In([3, 4], "bool")], op="REDUCE_ALL"),
    Case("all_neg", lambda x: tf.reduce_all(x, axis=-1),
         [In([2, 2, 2], "bool")], op="REDUCE_ALL"),
]

_TIES = np.array([[1, 3, 3, 0], [2, 2, 2, 2], [-1, -5, -5, 4]], np.float32)
CASES += [
    Case("argmax_axis0", lambda x: tf.argmax(x, axis=0, output_type=tf.int32),
         [In([4, 3])], op="ARG_MAX"),
    Case("argmax_int64_out", lambda x: tf.argmax(x, axis=-1),
         [In([2, 3, 5])], op="ARG_MAX"),
    Case("argmax_ties", lambda x: tf.argmax(x, axis=1, output_type=tf.int32),
         [In([3, 4], values=_TIES)], op="ARG_MAX"),
    Case("argmax_int32_in", lambda x: tf.argmax(x, axis=1,
                                                output_type=tf.int32),
         [In([3, 5], "int32", -3, 3)], op="ARG_MAX"),
    Case("argmin_axis1", lambda x: tf.argmin(x, axis=1, output_type=tf.int32),
         [In([4, 6])], op="ARG_MIN"),
    Case("argmin_ties_int64", lambda x: tf.argmin(x, axis=1),
         [In([3, 4], values=_TIES)], op="ARG_MIN"),
    Case("argmin_uint8", lambda x: tf.argmin(x, axis=0, output_type=tf.int32),
         [In([5, 2], "uint8", 0, 3)], op="ARG_MIN"),
    Case("cumsum_axis0", lambda x: tf.cumsum(x, axis=0), [In([4, 3])],
         op="CUMSUM"),
    Case("cumsum_exclusive", lambda x: tf.cumsum(x, axis=1, exclusive=True),
         [In([2, 5])], op="CUMSUM"),
    Case("cumsum_reverse", lambda x: tf.cumsum(x, axis=-1, reverse=True),
         [In([2, 3, 4])], op="CUMSUM"),
    Case("cumsum_excl_rev_int32", lambda x: tf.cumsum(
        x, axis=1, exclusive=True, reverse=True),
         [In([3, 4], "int32", -9, 9)], op="CUMSUM"),
]


# Fully int8 / uint8 models: quantized MEAN and SUM take different rounding
# paths in TFLite (4-D spatial mean, equal quantization, rescaling).
def _rep(shape, lo, hi):
    def gen():
        rng = np.random.default_rng(3)
        for _ in range(8):
            yield [rng.uniform(lo, hi, shape).astype(np.float32)]
    return gen


def _q(name, fn, shape, op, lo=-1.0, hi=3.0, dtype=None):
    dtype = dtype or tf.int8
    conv = {"optimizations": [tf.lite.Optimize.DEFAULT],
            "representative_dataset": _rep(shape, lo, hi),
            "target_spec.supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS_INT8],
            "inference_input_type": dtype,
            "inference_output_type": dtype}
    qlo, qhi = (0, 255) if dtype == tf.uint8 else (-128, 127)
    return Case(name, fn, [In(shape, low=qlo, high=qhi)], converter=conv,
                op=op)


CASES += [
    _q("q_mean_hw_keep", lambda x: tf.reduce_mean(x, [1, 2], keepdims=True),
       [2, 5, 3, 4], "MEAN"),
    _q("q_mean_hw", lambda x: tf.reduce_mean(x, [1, 2]), [2, 5, 3, 4],
       "MEAN"),
    _q("q_mean_last", lambda x: tf.reduce_mean(x, -1), [3, 7], "MEAN"),
    _q("q_mean_all", lambda x: tf.reduce_mean(x, [0, 1]), [4, 6], "MEAN",
       -2.0, 2.0),
    # Rescaled int8 SUM is not here: LiteRT's reference SUM kernel reads
    # int8 data as uint8 when it rescales (its optimized kernel does not);
    # pocketnn follows the optimized kernel, which test_ops_tensor.c checks.
    _q("q_max", lambda x: tf.reduce_max(x, 1), [3, 5], "REDUCE_MAX"),
    _q("q_min_keep", lambda x: tf.reduce_min(x, [0], keepdims=True), [3, 5],
       "REDUCE_MIN"),
]

# UNSORTED_SEGMENT_SUM/PROD/MAX/MIN: ids a prefix of the data shape, empty
# segments keep the reduction's identity (0, 1, lowest, highest).
_IDS = [0, 2, 0, 3, 2, 0]
for _name, _op in [("sum", "UNSORTED_SEGMENT_SUM"),
                   ("prod", "UNSORTED_SEGMENT_PROD"),
                   ("max", "UNSORTED_SEGMENT_MAX"),
                   ("min", "UNSORTED_SEGMENT_MIN")]:
    CASES += [
        Case(f"segment_{_name}_rows",
             lambda x, i, n=_name: getattr(tf.math, f"unsorted_segment_{n}")(
                 x, i, 5),
             [In([6, 3], low=0.5, high=1.5), In([6], "int32", values=_IDS)],
             op=_op),
        Case(f"segment_{_name}_2d_ids_int32",
             lambda x, i, n=_name: getattr(tf.math, f"unsorted_segment_{n}")(
                 x, i, 3),
             [In([2, 3, 2], "int32", -4, 4),
              In([2, 3], "int32", values=[[0, 1, 0], [2, 2, 0]])], op=_op),
    ]

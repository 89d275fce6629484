"""DEQUANTIZE of float16 weights (the converter's float16 quantization
keeps them as FLOAT16 constants feeding DEQUANTIZE), and QUANTIZE /
DEQUANTIZE at the edges of int8 models with float inputs and outputs
(including int8 -> int8 requantization). Per-channel DEQUANTIZE/QUANTIZE
and DENSIFY are covered by tests/test_ops_tensor.c (the converter only
emits them inside quantized or sparse models; see also the mediapipe
face_detection_full_range_sparse model for DENSIFY)."""
import numpy as np
import tensorflow as tf

from cases import Case, In

_rng = np.random.default_rng(5)
_W = _rng.uniform(-3, 3, (4, 6)).astype(np.float32)
_B = _rng.uniform(-3, 3, (6,)).astype(np.float32)

_F16 = {"optimizations": [tf.lite.Optimize.DEFAULT],
        "target_spec.supported_types": [tf.float16]}

CASES = [
    Case("dequantize_f16_matmul", lambda x: tf.matmul(x, _W) + _B,
         [In([3, 4])], converter=_F16, tol=1e-3, op="DEQUANTIZE"),
    Case("dequantize_f16_add", lambda x: x + _B, [In([2, 6])],
         converter=_F16, tol=1e-3, op="DEQUANTIZE"),
]


# int8 models with float inputs and outputs: QUANTIZE at the input,
# DEQUANTIZE at the output, and requantizing QUANTIZE (int8 -> int8) where
# the converter needs to change a tensor's scale.
def _rep(shapes, ranges):
    def gen():
        rng = np.random.default_rng(3)
        for _ in range(8):
            yield [rng.uniform(lo, hi, s).astype(np.float32)
                   for s, (lo, hi) in zip(shapes, ranges)]
    return gen


def _q(name, fn, shapes, ranges, op):
    conv = {"optimizations": [tf.lite.Optimize.DEFAULT],
            "representative_dataset": _rep(shapes, ranges),
            "target_spec.supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]}
    return Case(name, fn, [In(s, low=lo, high=hi)
                           for s, (lo, hi) in zip(shapes, ranges)],
                converter=conv, tol=1e-4, op=op)


CASES += [
    _q("quantize_roundtrip",
       lambda x: tf.pad(tf.transpose(x), [[1, 0], [0, 1]]),
       [[2, 8]], [(-3, 5)], "QUANTIZE"),
    _q("quantize_concat_requant", lambda a, b: tf.concat([a, b], 1),
       [[2, 3], [2, 4]], [(-1, 1), (-8, 20)], "QUANTIZE"),
    _q("quantize_mean", lambda x: tf.reduce_mean(x, [1, 2]),
       [[1, 4, 4, 3]], [(0, 6)], "QUANTIZE"),
]

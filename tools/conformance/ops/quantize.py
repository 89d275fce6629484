"""DEQUANTIZE of float16 weights (the converter's float16 quantization
keeps them as FLOAT16 constants feeding DEQUANTIZE). int8 per-tensor and
per-channel DEQUANTIZE and DENSIFY are covered by tests/test_ops_tensor.c
(the converter only emits them inside quantized or sparse models; see also
the mediapipe face_detection_full_range_sparse model for DENSIFY)."""
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

"""Elementwise unary math ops over float32 (and int32/int64/bool where
TFLite supports them), with domain-safe input ranges, ties for ROUND, and
scalar, size-1 and batch > 1 shapes (empty ones: in the C tests)."""
import numpy as np
import tensorflow as tf

from cases import Case, In

SHAPES = [("vec", [7]), ("4d", [2, 3, 4, 5]), ("scalar", []),
          ("ones", [1, 1])]

# op -> (fn, low, high): ranges keep LOG/SQRT/RSQRT in their domain.
FLOAT_OPS = {
    "EXP": (tf.exp, -5.0, 5.0),
    "LOG": (tf.math.log, 0.01, 10.0),
    "SQRT": (tf.sqrt, 0.0, 10.0),
    "RSQRT": (tf.math.rsqrt, 0.05, 10.0),
    "ABS": (tf.abs, -3.0, 3.0),
    "NEG": (tf.negative, -3.0, 3.0),
    "SIGN": (tf.sign, -3.0, 3.0),
    "SQUARE": (tf.square, -3.0, 3.0),
    "SIN": (tf.sin, -7.0, 7.0),
    "COS": (tf.cos, -7.0, 7.0),
    "FLOOR": (tf.floor, -5.0, 5.0),
    "CEIL": (tf.math.ceil, -5.0, 5.0),
    "ROUND": (tf.round, -5.0, 5.0),
}

CASES = []
for op, (fn, lo, hi) in FLOAT_OPS.items():
    for tag, shape in SHAPES:
        CASES.append(Case(f"{op.lower()}_f32_{tag}", fn,
                          [In(shape, low=lo, high=hi)], op=op))

HALVES = np.array([-2.5, -1.5, -0.5, 0.0, 0.5, 1.5, 2.5, 3.5, -3.49, 0.51],
                  np.float32)
CASES += [
    # Ties go to even, as TFLite.
    Case("round_f32_ties", tf.round, [In([10], values=HALVES)], op="ROUND"),
    Case("sign_f32_zeros", tf.sign,
         [In([4], values=np.array([0.0, -0.0, 2.0, -3.0], np.float32))],
         op="SIGN"),
    Case("abs_int32", tf.abs, [In([3, 5], "int32", -100, 100)], op="ABS"),
    Case("neg_int32", tf.negative, [In([3, 5], "int32", -100, 100)], op="NEG"),
    Case("neg_int64", tf.negative, [In([6], "int64", -100, 100)], op="NEG"),
    Case("sign_int32", tf.sign, [In([3, 5], "int32", -3, 3)], op="SIGN"),
    Case("logical_not", tf.logical_not, [In([2, 3, 4], "bool")],
         op="LOGICAL_NOT"),
]

"""Elementwise binary ops: arithmetic with fused activations, floor
division/modulo sign rules, POW, SQUARED_DIFFERENCE, MAXIMUM/MINIMUM,
ADD_N, comparisons and logical ops, over same-shape, broadcast, scalar,
size-1, batch > 1 and high-rank operands (empty ones: in the C tests,
as LiteRT's Python API cannot read or write an empty tensor)."""
import numpy as np
import tensorflow as tf

from cases import Case, In

# Shape pairs every arithmetic op is swept over: same shape, broadcast both
# ways, scalar, size-1 dims, batch > 1, rank 5 and 6.
SHAPES = [
    ("same", [2, 3, 4], [2, 3, 4]),
    ("bcast", [2, 1, 3], [4, 1]),
    ("bcast_rev", [5], [3, 1, 5]),
    ("scalar", [3, 4], []),
    ("scalar_first", [], [2, 3]),
    ("ones", [1, 1, 1], [1, 1, 1]),
    ("batch", [3, 4, 5, 6], [1, 4, 1, 6]),
    ("rank5", [2, 1, 3, 1, 4], [1, 2, 1, 5, 1]),
    ("rank6", [2, 1, 2, 1, 2, 3], [1, 2, 1, 2, 1, 3]),
]
# Empty operands are covered by tests/test_ops_elementwise.c: LiteRT's
# Python API cannot read or write an empty tensor.

ARITH = {
    "ADD": lambda a, b: a + b,
    "SUB": lambda a, b: a - b,
    "MUL": lambda a, b: a * b,
    "DIV": lambda a, b: a / b,
    "SQUARED_DIFFERENCE": tf.math.squared_difference,
    "MAXIMUM": tf.maximum,
    "MINIMUM": tf.minimum,
}

CASES = []

for op, fn in ARITH.items():
    for tag, sa, sb in SHAPES:
        if op == "SQUARED_DIFFERENCE" and tag.startswith("rank"):
            continue  # the converter splits these into SUB + SQUARE
        # DIV: keep divisors away from zero.
        lo = 0.5 if op == "DIV" else -2.0
        CASES.append(Case(f"{op.lower()}_f32_{tag}", fn,
                          [In(sa), In(sb, low=lo, high=3.0)], op=op))

# Fused activations (the converter folds relu/relu6/clip into the op).
ACTS = {
    "relu": tf.nn.relu,
    "relu6": tf.nn.relu6,
    "relu_n1": lambda x: tf.clip_by_value(x, -1.0, 1.0),
}
for op in ("ADD", "SUB", "MUL", "DIV"):
    for aname, act in ACTS.items():
        fn = ARITH[op]
        CASES.append(Case(
            f"{op.lower()}_f32_{aname}",
            lambda a, b, fn=fn, act=act: act(fn(a, b)),
            [In([2, 3, 4], low=-4, high=4), In([4], low=0.5, high=3.0)],
            op=op))

# Integer arithmetic: wraps nowhere in these ranges.
for op in ("ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM"):
    for dt in ("int32", "int64"):
        CASES.append(Case(f"{op.lower()}_{dt}_bcast", ARITH[op],
                          [In([2, 1, 3], dt, -50, 50), In([4, 1], dt, -50, 50)],
                          op=op))
        CASES.append(Case(f"{op.lower()}_{dt}_scalar", ARITH[op],
                          [In([5], dt, -50, 50), In([], dt, -50, 50)], op=op))
CASES.append(Case("squared_difference_int32",
                  tf.math.squared_difference,
                  [In([3, 4], "int32", -100, 100), In([4], "int32", -100, 100)],
                  op="SQUARED_DIFFERENCE"))

# Nonzero divisors of both signs for the integer division family.
DIVISORS = np.array([[-7, -3, -2, -1, 1, 2, 3, 7]], dtype=np.int32)

CASES += [
    Case("floor_div_f32", tf.math.floordiv,
         [In([3, 8], low=-10, high=10),
          In([1, 8], values=DIVISORS.astype(np.float32) * 0.7)],
         op="FLOOR_DIV"),
    Case("floor_div_f32_scalar", tf.math.floordiv,
         [In([4, 5], low=-10, high=10), In([], values=np.float32(-1.5))],
         op="FLOOR_DIV"),
    Case("floor_div_int32", tf.math.floordiv,
         [In([3, 8], "int32", -20, 20), In([1, 8], "int32", values=DIVISORS)],
         op="FLOOR_DIV"),
    Case("floor_mod_f32", tf.math.floormod,
         [In([3, 8], low=-10, high=10),
          In([1, 8], values=DIVISORS.astype(np.float32) * 0.7)],
         op="FLOOR_MOD"),
    Case("floor_mod_int32", tf.math.floormod,
         [In([3, 8], "int32", -20, 20), In([1, 8], "int32", values=DIVISORS)],
         op="FLOOR_MOD"),
    Case("floor_mod_int64", tf.math.floormod,
         [In([2, 3, 8], "int64", -20, 20),
          In([8], "int64", values=DIVISORS[0].astype(np.int64))],
         op="FLOOR_MOD"),
    Case("div_int32_trunc", tf.truncatediv,
         [In([3, 8], "int32", -20, 20), In([1, 8], "int32", values=DIVISORS)],
         op="DIV"),
    Case("pow_f32", tf.pow,
         [In([2, 3, 4], low=0.1, high=3.0), In([4], low=-2.0, high=3.0)],
         op="POW"),
    Case("pow_f32_int_exponents", tf.pow,
         [In([3, 4], low=-3.0, high=3.0),
          In([4], values=np.array([0, 1, 2, 3], np.float32))],
         op="POW"),
    Case("pow_int32", tf.pow,
         [In([3, 4], "int32", -5, 5), In([4], "int32", 0, 4)], op="POW"),
    Case("add_n_f32", lambda a, b, c: tf.add_n([a, b, c]),
         [In([2, 3, 4]), In([2, 3, 4]), In([2, 3, 4])], op="ADD_N"),
    Case("add_n_int32", lambda a, b: tf.add_n([a, b]),
         [In([5, 2], "int32", -99, 99), In([5, 2], "int32", -99, 99)],
         op="ADD_N"),
]

CMP = {
    "EQUAL": tf.equal,
    "NOT_EQUAL": tf.not_equal,
    "LESS": tf.less,
    "LESS_EQUAL": tf.less_equal,
    "GREATER": tf.greater,
    "GREATER_EQUAL": tf.greater_equal,
}
for op, fn in CMP.items():
    n = op.lower()
    CASES += [
        # Small integer ranges make ties (equal operands) common.
        Case(f"{n}_int32_bcast", fn,
             [In([2, 1, 6], "int32", -2, 2), In([3, 1], "int32", -2, 2)], op=op),
        Case(f"{n}_int64_scalar", fn,
             [In([4, 3], "int64", -2, 2), In([], "int64", -2, 2)], op=op),
        Case(f"{n}_f32_bcast", lambda a, b, fn=fn: fn(tf.floor(a), b),
             [In([2, 3, 4], low=-2, high=2),
              In([4], values=np.array([-1, 0, 1, 0.5], np.float32))], op=op),
    ]
CASES += [
    Case("equal_bool", tf.equal, [In([3, 4], "bool"), In([4], "bool")],
         op="EQUAL"),
    Case("not_equal_bool", tf.not_equal, [In([2, 1], "bool"), In([1, 5], "bool")],
         op="NOT_EQUAL"),
    Case("logical_and", tf.logical_and, [In([2, 3, 4], "bool"), In([3, 1], "bool")],
         op="LOGICAL_AND"),
    Case("logical_or", tf.logical_or, [In([6], "bool"), In([6], "bool")],
         op="LOGICAL_OR"),
    Case("logical_or_scalar", tf.logical_or, [In([2, 5], "bool"), In([], "bool")],
         op="LOGICAL_OR"),
]

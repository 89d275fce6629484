"""RESHAPE, SQUEEZE, EXPAND_DIMS, SHAPE, RANK, FILL, ZEROS_LIKE, RANGE,
CAST and BROADCAST_TO: -1 shapes, scalars, every cast pair the converter
keeps, broadcasting to higher ranks.

LiteRT's Python API cannot feed or read 0-element tensors, and the
converter folds SHAPE, RANK, RANGE and turns SQUEEZE/EXPAND_DIMS into
RESHAPE for static shapes; those ops and empty tensors are covered by
tests/test_ops_tensor.c instead (the squeeze_*/expand_dims_* cases here
run as RESHAPE)."""
import numpy as np
import tensorflow as tf

from cases import Case, In


def _reshape(name, shape, new_shape, dtype="float32"):
    return Case(name, lambda x: tf.reshape(x, new_shape),
                [In(shape, dtype, -5, 5)], op="RESHAPE")


CASES = [
    _reshape("reshape_flatten", [2, 3, 4], [-1]),
    _reshape("reshape_infer_mid", [2, 3, 4], [4, -1, 2]),
    _reshape("reshape_to_scalar", [1, 1], []),
    _reshape("reshape_from_scalar", [], [1, 1, 1]),
    _reshape("reshape_int32", [6], [3, 2], "int32"),
    _reshape("reshape_bool", [6], [2, 1, 3], "bool"),
    _reshape("reshape_int8", [4, 2], [8], "int8"),
    _reshape("reshape_rank6", [2, 1, 2, 1, 2, 3], [3, 8]),
    # A shape computed in the graph (folded SHAPE/STRIDED_SLICE chain).
    Case("reshape_dynamic_chain",
         lambda x: tf.reshape(x, tf.concat([tf.shape(x)[:1], [-1]], 0)),
         [In([3, 2, 2])], op="RESHAPE"),
    Case("squeeze_all", lambda x: tf.squeeze(x), [In([1, 3, 1, 2, 1])],
         op="RESHAPE"),
    Case("squeeze_axes_neg", lambda x: tf.squeeze(x, axis=[-1, 0]),
         [In([1, 3, 1, 2, 1])], op="RESHAPE"),
    Case("squeeze_int32", lambda x: tf.squeeze(x, axis=[1]),
         [In([2, 1, 3], "int32", -9, 9)], op="RESHAPE"),
    Case("expand_dims_front", lambda x: tf.expand_dims(x, 0), [In([3, 2])],
         op="RESHAPE"),
    Case("expand_dims_neg", lambda x: tf.expand_dims(x, -1),
         [In([3, 2], "int64", -9, 9)], op="RESHAPE"),
    Case("expand_dims_scalar", lambda x: tf.expand_dims(x, 0), [In([])],
         op="RESHAPE"),
    Case("fill_float", lambda v: tf.fill([2, 3, 1], v), [In([])], op="FILL"),
    Case("fill_int32", lambda v: tf.fill([4], v), [In([], "int32", -9, 9)],
         op="FILL"),
    Case("fill_bool", lambda v: tf.fill([2, 2], v), [In([], "bool")],
         op="FILL"),
    Case("zeros_like_float", lambda x: tf.raw_ops.ZerosLike(x=x) + x,
         [In([2, 3])], op="ZEROS_LIKE"),
    Case("zeros_like_int", lambda x: tf.raw_ops.ZerosLike(x=x),
         [In([2, 2], "int32", -5, 5)], op="ZEROS_LIKE"),
]


def _cast(src, dst, lo=-300, hi=300, shape=(2, 5)):
    return Case(f"cast_{src}_to_{dst}", lambda x: tf.cast(x, dst),
                [In(list(shape), src, lo, hi)], op="CAST")


CASES += [
    _cast("float32", "int32"),
    _cast("float32", "int64"),
    _cast("float32", "uint8", 0, 255),
    _cast("float32", "int8", -120, 120),
    _cast("float32", "int16"),
    _cast("float32", "bool", -1, 1),
    _cast("int32", "float32"),
    _cast("int32", "int64"),
    _cast("int32", "bool", -2, 2),
    _cast("int32", "uint8"),
    _cast("int32", "int8"),
    _cast("int64", "int32"),
    _cast("int64", "float32"),
    _cast("bool", "float32"),
    _cast("bool", "int32"),
    _cast("uint8", "float32", 0, 255),
    _cast("uint8", "int32", 0, 255),
    _cast("int8", "float32", -128, 127),
    _cast("int16", "float32", -3000, 3000),
    _cast("int16", "int32", -3000, 3000),
    Case("broadcast_to_rank_up", lambda x: tf.broadcast_to(x, [2, 3, 4]),
         [In([3, 1])], op="BROADCAST_TO"),
    Case("broadcast_to_same_rank", lambda x: tf.broadcast_to(x, [4, 1, 5]),
         [In([1, 1, 5])], op="BROADCAST_TO"),
    Case("broadcast_to_int32", lambda x: tf.broadcast_to(x, [3, 2]),
         [In([2], "int32", -9, 9)], op="BROADCAST_TO"),
    Case("broadcast_to_bool", lambda x: tf.broadcast_to(x, [2, 2, 3]),
         [In([1, 3], "bool")], op="BROADCAST_TO"),
]


"""DEPTH_TO_SPACE, SPACE_TO_DEPTH, BATCH_TO_SPACE_ND, SPACE_TO_BATCH_ND:
block sizes, crops and paddings, 3-D and 4-D inputs, integer types."""
import tensorflow as tf

from cases import Case, In


def _d2s(name, shape, bs, dtype="float32"):
    return Case(name, lambda x: tf.nn.depth_to_space(x, bs),
                [In(shape, dtype, -100, 100)], op="DEPTH_TO_SPACE")


def _s2d(name, shape, bs, dtype="float32"):
    return Case(name, lambda x: tf.nn.space_to_depth(x, bs),
                [In(shape, dtype, -100, 100)], op="SPACE_TO_DEPTH")


def _b2s(name, shape, block, crops, dtype="float32"):
    return Case(name, lambda x: tf.batch_to_space(x, block, crops),
                [In(shape, dtype, -100, 100)], op="BATCH_TO_SPACE_ND")


def _s2b(name, shape, block, pads, dtype="float32"):
    return Case(name, lambda x: tf.space_to_batch_nd(x, block, pads),
                [In(shape, dtype, -100, 100)], op="SPACE_TO_BATCH_ND")


CASES = [
    _d2s("d2s_bs2", [1, 2, 3, 8], 2),
    _d2s("d2s_bs3_batch2", [2, 2, 2, 18], 3),
    _d2s("d2s_bs2_c1", [1, 3, 3, 4], 2),
    _d2s("d2s_int32", [1, 2, 2, 12], 2, "int32"),
    _s2d("s2d_bs2", [1, 4, 6, 3], 2),
    _s2d("s2d_bs3_batch2", [2, 6, 3, 2], 3),
    _s2d("s2d_bs2_c1", [1, 4, 4, 1], 2),
    _s2d("s2d_int64", [1, 2, 4, 2], 2, "int64"),
    _b2s("b2s_2x2", [4, 2, 3, 2], [2, 2], [[0, 0], [0, 0]]),
    _b2s("b2s_crops", [4, 3, 3, 1], [2, 2], [[1, 0], [0, 2]]),
    _b2s("b2s_2x3_batch2", [12, 2, 2, 3], [2, 3], [[0, 1], [1, 1]]),
    _b2s("b2s_1x2", [4, 2, 2, 2], [1, 2], [[0, 0], [1, 0]]),
    _b2s("b2s_3d", [6, 4, 2], [3], [[1, 2]]),
    _b2s("b2s_int32", [4, 2, 2, 1], [2, 2], [[0, 1], [1, 0]], "int32"),
    _s2b("s2b_2x2", [1, 4, 6, 2], [2, 2], [[0, 0], [0, 0]]),
    _s2b("s2b_pads", [1, 3, 5, 1], [2, 2], [[1, 0], [0, 1]]),
    _s2b("s2b_2x3_batch2", [2, 4, 4, 3], [2, 3], [[1, 1], [1, 1]]),
    _s2b("s2b_big_pads", [1, 2, 2, 2], [2, 2], [[2, 2], [3, 1]]),
    _s2b("s2b_3d", [2, 5, 3], [3], [[1, 0]]),
    _s2b("s2b_int64", [1, 2, 4, 1], [2, 2], [[0, 0], [1, 1]], "int64"),
]

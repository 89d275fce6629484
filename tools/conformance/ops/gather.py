"""GATHER (axis, batch_dims, negative axis, int64 indices), GATHER_ND,
SELECT (same shape, scalar and rank-1 conditions), SELECT_V2
(broadcasting), TOPK_V2, ONE_HOT and SCATTER_ND."""
import numpy as np
import tensorflow as tf

from cases import Case, In


def _idx(shape, hi, dtype="int32"):
    return In(shape, dtype, 0, hi)


CASES = [
    Case("gather_axis0", lambda p, i: tf.gather(p, i),
         [In([5, 3]), _idx([4], 4)], op="GATHER"),
    Case("gather_axis1_2d_idx", lambda p, i: tf.gather(p, i, axis=1),
         [In([2, 6, 3]), _idx([2, 3], 5)], op="GATHER"),
    Case("gather_neg_axis", lambda p, i: tf.gather(p, i, axis=-1),
         [In([3, 4]), _idx([5], 3)], op="GATHER"),
    Case("gather_int64_idx", lambda p, i: tf.gather(p, i, axis=0),
         [In([4, 2]), _idx([3], 3, "int64")], op="GATHER"),
    Case("gather_scalar_idx", lambda p, i: tf.gather(p, i, axis=1),
         [In([3, 4]), _idx([], 3)], op="GATHER"),
    Case("gather_batch_dims", lambda p, i: tf.gather(p, i, axis=1,
                                                      batch_dims=1),
         [In([3, 5, 2]), _idx([3, 4], 4)], op="GATHER"),
    Case("gather_batch_dims_axis2", lambda p, i: tf.gather(p, i, axis=2,
                                                            batch_dims=1),
         [In([2, 3, 4]), _idx([2, 2], 3)], op="GATHER"),
    Case("gather_int32_params", lambda p, i: tf.gather(p, i),
         [In([6], "int32", -50, 50), _idx([2, 2], 5)], op="GATHER"),
    Case("gather_bool_params", lambda p, i: tf.gather(p, i, axis=1),
         [In([2, 4], "bool"), _idx([3], 3)], op="GATHER"),
    Case("gather_const_params", lambda i: tf.gather(
        tf.constant(np.arange(12, dtype=np.float32).reshape(4, 3)), i),
         [_idx([2, 2], 3)], op="GATHER"),
    Case("gather_nd_full", lambda p, i: tf.gather_nd(p, i),
         [In([3, 4]), In([5, 2], "int32", values=np.array(
             [[0, 0], [2, 3], [1, 2], [2, 0], [0, 3]], np.int32))],
         op="GATHER_ND"),
    Case("gather_nd_slices", lambda p, i: tf.gather_nd(p, i),
         [In([4, 3, 2]), _idx([2, 2, 1], 3)], op="GATHER_ND"),
    Case("gather_nd_int64", lambda p, i: tf.gather_nd(p, i),
         [In([3, 3], "int32", -9, 9), _idx([4, 2], 2, "int64")],
         op="GATHER_ND"),
    Case("select_same_shape", lambda c, x, y: tf.raw_ops.Select(
        condition=c, x=x, y=y), [In([2, 3], "bool"), In([2, 3]), In([2, 3])],
         op="SELECT"),
    Case("select_rank1_rows", lambda c, x, y: tf.raw_ops.Select(
        condition=c, x=x, y=y), [In([3], "bool"), In([3, 2, 2]),
                                 In([3, 2, 2])], op="SELECT"),
    Case("select_int32", lambda c, x, y: tf.raw_ops.Select(
        condition=c, x=x, y=y), [In([4], "bool"), In([4], "int32", -9, 9),
                                 In([4], "int32", -9, 9)], op="SELECT"),
    Case("select_v2_broadcast", lambda c, x, y: tf.where(c, x, y),
         [In([2, 1, 3], "bool"), In([4, 1]), In([1, 3])], op="SELECT_V2"),
    Case("select_v2_scalar_y", lambda c, x: tf.where(c, x, 0.5),
         [In([3, 2], "bool"), In([3, 2])], op="SELECT_V2"),
    Case("select_v2_cond_bcast", lambda c, x, y: tf.where(c, x, y),
         [In([3], "bool"), In([2, 3], "int32", -9, 9),
          In([2, 3], "int32", -9, 9)], op="SELECT_V2"),
]

# TOPK_V2 (ties keep the lower index), ONE_HOT (axis, on/off values) and
# SCATTER_ND (duplicate indices add up).
_TIED = np.array([[1, 3, 3, 0, 3], [2, 2, 2, 2, 2]], np.float32)
CASES += [
    Case("topk_values_indices", lambda x: tf.math.top_k(x, 3),
         [In([2, 3, 7])], op="TOPK_V2"),
    Case("topk_ties", lambda x: tf.math.top_k(x, 4),
         [In([2, 5], values=_TIED)], op="TOPK_V2"),
    Case("topk_int32_k1", lambda x: tf.math.top_k(x, 1),
         [In([4, 6], "int32", -5, 5)], op="TOPK_V2"),
    Case("one_hot_last", lambda i: tf.one_hot(i, 5), [_idx([2, 3], 6)],
         op="ONE_HOT"),
    Case("one_hot_axis0_values", lambda i: tf.one_hot(
        i, 4, on_value=2.5, off_value=-1.0, axis=0), [_idx([3], 3)],
         op="ONE_HOT"),
    Case("one_hot_int32_mid", lambda i: tf.one_hot(
        i, 3, on_value=7, off_value=1, axis=1, dtype=tf.int32),
         [_idx([2, 2], 2)], op="ONE_HOT"),
    Case("scatter_nd_rows", lambda i, u: tf.scatter_nd(i, u, [5, 3]),
         [In([3, 1], "int32", values=[[4], [0], [4]]), In([3, 3])],
         op="SCATTER_ND"),
    Case("scatter_nd_elements", lambda i, u: tf.scatter_nd(i, u, [3, 4]),
         [In([4, 2], "int32", values=[[0, 1], [2, 3], [0, 1], [1, 0]]),
          In([4])], op="SCATTER_ND"),
]

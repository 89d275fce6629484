"""AVERAGE_POOL_2D and MAX_POOL_2D: padding (valid cells only), strides,
filter shapes, fused activations, edge shapes. (L2_POOL_2D has no
TensorFlow op the converter maps to it; tests/test_ops_nn.c covers it.)"""
import tensorflow as tf

from cases import Case, In

_ACTS = {
    "none": lambda y: y,
    "relu": tf.nn.relu,
    "relu6": tf.nn.relu6,
    "relu_n1_to_1": lambda y: tf.clip_by_value(y, -1.0, 1.0),
}


def _pool(kind, name, x_shape, ksize, strides, padding="VALID", act="none",
          low=-2.0, high=2.0):
    fn_pool = tf.nn.avg_pool2d if kind == "avg" else tf.nn.max_pool2d
    op = "AVERAGE_POOL_2D" if kind == "avg" else "MAX_POOL_2D"

    def fn(x):
        return _ACTS[act](fn_pool(x, ksize=ksize, strides=strides,
                                  padding=padding))
    return Case(f"{kind}_{name}", fn, [In(x_shape, low=low, high=high)],
                op=op)


CASES = []
for _k in ("avg", "max"):
    CASES += [
        _pool(_k, "2x2_s2_valid", [1, 6, 6, 3], 2, 2),
        _pool(_k, "3x3_s1_same", [1, 5, 5, 2], 3, 1, "SAME"),
        _pool(_k, "3x3_s2_same", [2, 7, 8, 3], 3, 2, "SAME"),
        _pool(_k, "3x3_s2_valid_odd", [1, 9, 7, 2], 3, 2),
        _pool(_k, "rect_2x3_s12", [1, 7, 9, 2], [2, 3], [1, 2], "SAME"),
        _pool(_k, "4x4_s3_same", [1, 10, 10, 1], 4, 3, "SAME"),
        _pool(_k, "global", [2, 5, 4, 6], [5, 4], 1),
        _pool(_k, "filter_gt_stride_same", [1, 6, 6, 2], 5, 2, "SAME"),
        _pool(_k, "1x1_s2", [1, 5, 5, 2], 1, 2),
        _pool(_k, "relu", [1, 6, 6, 2], 2, 2, act="relu"),
        _pool(_k, "relu6", [1, 6, 6, 2], 2, 2, act="relu6", low=-8, high=8),
        _pool(_k, "relu_n1_to_1", [1, 6, 6, 2], 2, 2, act="relu_n1_to_1"),
        _pool(_k, "negative_values", [1, 4, 4, 2], 2, 2, "SAME", low=-9,
              high=-1),
    ]

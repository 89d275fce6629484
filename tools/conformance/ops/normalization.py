"""L2_NORMALIZATION (last axis, epsilon on the norm) and
LOCAL_RESPONSE_NORMALIZATION (radius, bias, alpha, beta)."""
import numpy as np
import tensorflow as tf

from cases import Case, In


def _l2(name, shape, values=None, low=-2.0, high=2.0):
    return Case(name, lambda x: tf.math.l2_normalize(x, axis=-1),
                [In(shape, low=low, high=high, values=values)],
                op="L2_NORMALIZATION")


def _lrn(name, shape, radius, bias, alpha, beta):
    def fn(x):
        return tf.nn.local_response_normalization(
            x, depth_radius=radius, bias=bias, alpha=alpha, beta=beta)
    return Case(name, fn, [In(shape)], op="LOCAL_RESPONSE_NORMALIZATION")


_tiny = np.zeros((2, 3), np.float32)
_tiny[0] = [1e-7, 0, 0]          # norm below the epsilon
_tiny[1] = [0, 0, 0]             # all zero: no NaN

CASES = [
    _l2("l2_1d", [7]),
    _l2("l2_2d", [3, 8]),
    _l2("l2_3d", [2, 3, 5]),
    _l2("l2_4d", [2, 3, 4, 6]),
    _l2("l2_depth1", [4, 1]),
    _l2("l2_tiny_and_zero", [2, 3], values=_tiny),
    _l2("l2_large_values", [2, 16], low=-1e3, high=1e3),
    # LiteRT's reference resolver sums the window [c - radius, c + radius)
    # and so disagrees with TensorFlow and LiteRT's default LRN kernel,
    # which include c + radius; pocketnn follows the latter (also checked
    # by hand in tests/test_ops_nn.c), and gen_ops takes these references
    # from the default kernels (REF_RESOLVER_WRONG).
    _lrn("lrn_default", [1, 3, 3, 8], 5, 1.0, 1.0, 0.5),
    _lrn("lrn_radius0", [1, 2, 2, 4], 0, 1.0, 0.5, 0.75),
    _lrn("lrn_radius2", [2, 3, 4, 7], 2, 2.0, 1e-2, 0.75),
    _lrn("lrn_radius_gt_depth", [1, 2, 2, 3], 6, 0.5, 0.3, 0.6),
    _lrn("lrn_beta1", [1, 4, 4, 5], 1, 1.0, 0.2, 1.0),
    _lrn("lrn_depth1", [1, 3, 3, 1], 2, 1.0, 0.5, 0.5),
]

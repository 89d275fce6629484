"""CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV: padding, strides,
dilations, fused activations, groups, depth multipliers, edge shapes."""
import zlib

import numpy as np
import tensorflow as tf

from cases import Case, In


def _rng(name):
    """Weights seeded by the case name, so adding a case leaves the others'
    models (and their cached references) unchanged."""
    return np.random.default_rng(zlib.crc32(name.encode()))


def _w(rng, *shape):
    return rng.uniform(-1, 1, shape).astype(np.float32)


_ACTS = {
    "none": lambda y: y,
    "relu": tf.nn.relu,
    "relu6": tf.nn.relu6,
    "relu_n1_to_1": lambda y: tf.clip_by_value(y, -1.0, 1.0),
    "tanh": tf.nn.tanh,
}


def _conv(name, x_shape, f_hw, out_c, strides=1, padding="SAME", dil=1,
          act="none", bias=True, groups=1):
    in_c = x_shape[-1]
    rng = _rng(name)
    w = _w(rng, f_hw[0], f_hw[1], in_c // groups, out_c)
    b = _w(rng, out_c)

    def fn(x):
        y = tf.nn.conv2d(x, w, strides=strides, padding=padding, dilations=dil)
        if bias:
            y = y + b
        return _ACTS[act](y)
    return Case(name, fn, [In(x_shape)], op="CONV_2D")


def _dw(name, x_shape, f_hw, mult, strides=1, padding="SAME", dil=1,
        act="none"):
    in_c = x_shape[-1]
    rng = _rng(name)
    w = _w(rng, f_hw[0], f_hw[1], in_c, mult)
    b = _w(rng, in_c * mult)

    def fn(x):
        s = strides if isinstance(strides, (list, tuple)) else (strides, strides)
        d = dil if isinstance(dil, (list, tuple)) else (dil, dil)
        y = tf.nn.depthwise_conv2d(x, w, strides=[1, s[0], s[1], 1],
                                   padding=padding, dilations=d)
        return _ACTS[act](y + b)
    return Case(name, fn, [In(x_shape)], op="DEPTHWISE_CONV_2D")


def _tconv(name, x_shape, f_hw, out_c, out_hw, strides, padding="SAME",
           act="none", bias=False):
    in_c = x_shape[-1]
    rng = _rng(name)
    w = _w(rng, f_hw[0], f_hw[1], out_c, in_c)
    b = _w(rng, out_c)
    out_shape = [x_shape[0], out_hw[0], out_hw[1], out_c]

    def fn(x):
        y = tf.nn.conv2d_transpose(x, w, out_shape, strides=strides,
                                   padding=padding)
        if bias:
            y = y + b
        return _ACTS[act](y)
    return Case(name, fn, [In(x_shape)], op="TRANSPOSE_CONV")


CASES = [
    # CONV_2D
    _conv("conv_1x1", [1, 4, 5, 3], (1, 1), 6),
    _conv("conv_3x3_same", [1, 7, 6, 2], (3, 3), 4),
    _conv("conv_3x3_valid", [1, 7, 6, 2], (3, 3), 4, padding="VALID"),
    _conv("conv_stride2_same", [2, 9, 8, 3], (3, 3), 5, strides=2),
    _conv("conv_stride3_valid", [1, 10, 11, 2], (3, 2), 3, strides=3,
          padding="VALID"),
    _conv("conv_stride_hw", [1, 9, 9, 2], (3, 3), 3, strides=[1, 2, 1, 1]),
    _conv("conv_5x3_even_pad", [1, 8, 6, 2], (5, 4), 3, strides=2),
    _conv("conv_dilation2_same", [1, 9, 9, 2], (3, 3), 3, dil=2),
    _conv("conv_dilation_hw_valid", [1, 11, 10, 2], (3, 2), 2,
          padding="VALID", dil=[1, 3, 2, 1]),
    _conv("conv_relu", [1, 6, 6, 3], (3, 3), 4, act="relu"),
    _conv("conv_relu6", [1, 6, 6, 3], (3, 3), 4, act="relu6"),
    _conv("conv_relu_n1_to_1", [1, 6, 6, 3], (3, 3), 4, act="relu_n1_to_1"),
    _conv("conv_tanh", [1, 6, 6, 3], (3, 3), 4, act="tanh"),
    _conv("conv_no_bias", [1, 5, 5, 2], (3, 3), 3, bias=False),
    _conv("conv_one_channel", [3, 5, 4, 1], (2, 2), 1),
    _conv("conv_filter_eq_input", [1, 3, 3, 4], (3, 3), 2, padding="VALID"),
    _conv("conv_prime_sizes", [1, 13, 7, 5], (3, 3), 7, strides=2),
    _conv("conv_1x1_s2_wide", [3, 8, 8, 16], (1, 1), 24, strides=2),
    _conv("conv_mobilenet_stem", [2, 16, 16, 3], (3, 3), 8, strides=2,
          act="relu6"),
    _conv("conv_1xn", [1, 6, 9, 3], (1, 5), 2),
    _conv("conv_input_1x1", [2, 1, 1, 7], (3, 3), 4),
    _conv("conv_grouped2", [1, 6, 6, 4], (3, 3), 6, groups=2),
    _conv("conv_grouped3_stride", [2, 7, 7, 6], (3, 3), 3, strides=2,
          groups=3),
    # DEPTHWISE_CONV_2D
    _dw("dw_mult1_same", [1, 7, 7, 3], (3, 3), 1),
    _dw("dw_mult1_valid", [1, 7, 6, 4], (3, 3), 1, padding="VALID"),
    _dw("dw_mult2", [1, 6, 6, 3], (3, 3), 2),
    _dw("dw_mult3_stride2", [2, 9, 8, 2], (3, 3), 3, strides=2),
    _dw("dw_stride_hw", [1, 9, 8, 2], (3, 3), 1, strides=(2, 1)),
    _dw("dw_5x5_relu6", [1, 8, 8, 4], (5, 5), 1, act="relu6"),
    _dw("dw_relu", [1, 5, 5, 3], (3, 3), 1, act="relu"),
    _dw("dw_dilation2", [1, 9, 9, 2], (3, 3), 1, dil=2),
    _dw("dw_dilation_valid", [1, 10, 9, 3], (3, 3), 2, padding="VALID",
        dil=(2, 3)),
    _dw("dw_one_channel", [1, 5, 5, 1], (3, 3), 4),
    _dw("dw_mobilenet_s2", [2, 12, 12, 32], (3, 3), 1, strides=2,
        act="relu6"),
    _dw("dw_input_1x1", [1, 1, 1, 4], (3, 3), 2),
    _dw("dw_1x1", [1, 4, 4, 5], (1, 1), 1),
    _dw("dw_even_filter", [1, 6, 7, 2], (2, 4), 1, strides=2),
    # TRANSPOSE_CONV
    _tconv("tconv_same_s2", [1, 4, 4, 3], (3, 3), 2, (8, 8), 2),
    _tconv("tconv_valid_s2", [1, 4, 4, 3], (3, 3), 2, (9, 9), 2,
           padding="VALID"),
    _tconv("tconv_same_s1", [1, 5, 4, 2], (3, 3), 3, (5, 4), 1),
    _tconv("tconv_s2_odd_out", [1, 4, 3, 2], (3, 3), 2, (7, 5), 2),
    _tconv("tconv_s3_4x4", [2, 3, 3, 2], (4, 4), 3, (9, 9), 3),
    _tconv("tconv_stride_hw", [1, 3, 4, 2], (3, 2), 2, (6, 4), [2, 1]),
    _tconv("tconv_bias", [1, 4, 4, 3], (3, 3), 2, (8, 8), 2, bias=True),
    _tconv("tconv_bias_relu", [1, 4, 4, 2], (2, 2), 3, (8, 8), 2, bias=True,
           act="relu"),
    _tconv("tconv_batch3_wide", [3, 5, 5, 8], (3, 3), 6, (10, 10), 2,
           bias=True),
    _tconv("tconv_valid_s1", [1, 3, 4, 2], (2, 3), 2, (4, 6), 1,
           padding="VALID"),
    _tconv("tconv_1x1", [1, 3, 3, 4], (1, 1), 2, (3, 3), 1),
]

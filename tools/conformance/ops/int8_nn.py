"""Quantized NN ops: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED,
TRANSPOSE_CONV, BATCH_MATMUL, AVERAGE_POOL_2D, MAX_POOL_2D converted with
post-training quantization (Case.quant): full-integer int8 (int8 and float
model I/O), 16x8 (int16 activations, int8 weights) and dynamic range
(hybrid: float activations, int8 weights). References come from LiteRT's
reference kernels; integer outputs must match exactly or by one step on at
most 0.1% of the elements."""
import zlib

import numpy as np
import tensorflow as tf

from cases import Case, In


def _rng(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


def _w(rng, *shape):
    return rng.uniform(-1, 1, shape).astype(np.float32)


_ACTS = {
    "none": lambda y: y,
    "relu": tf.nn.relu,
    "relu6": tf.nn.relu6,
    "relu_n1_to_1": lambda y: tf.clip_by_value(y, -1.0, 1.0),
}


def _conv(name, quant, x_shape, f_hw, out_c, strides=1, padding="SAME", dil=1,
          act="none", groups=1, tol=1e-3):
    rng = _rng(name)
    w = _w(rng, f_hw[0], f_hw[1], x_shape[-1] // groups, out_c)
    b = _w(rng, out_c)

    def fn(x):
        y = tf.nn.conv2d(x, w, strides=strides, padding=padding, dilations=dil)
        return _ACTS[act](y + b)
    return Case(name, fn, [In(x_shape)], op="CONV_2D", quant=quant, tol=tol)


def _dw(name, quant, x_shape, f_hw, mult, strides=1, padding="SAME", dil=1,
        act="none", tol=1e-3):
    rng = _rng(name)
    w = _w(rng, f_hw[0], f_hw[1], x_shape[-1], mult)
    b = _w(rng, x_shape[-1] * mult)

    def fn(x):
        y = tf.nn.depthwise_conv2d(x, w, strides=[1, strides, strides, 1],
                                   padding=padding, dilations=(dil, dil))
        return _ACTS[act](y + b)
    return Case(name, fn, [In(x_shape)], op="DEPTHWISE_CONV_2D", quant=quant,
                tol=tol)


def _fc(name, quant, x_shape, units, act="none", bias=True, tol=1e-3):
    rng = _rng(name)
    w = _w(rng, x_shape[-1], units)
    b = _w(rng, units)

    def fn(x):
        y = tf.matmul(x, w) if len(x_shape) == 2 else tf.tensordot(x, w, 1)
        if bias:
            y = y + b
        return _ACTS[act](y)
    return Case(name, fn, [In(x_shape)], op="FULLY_CONNECTED", quant=quant,
                tol=tol)


def _tconv(name, quant, x_shape, f_hw, out_c, strides, padding, out_hw):
    rng = _rng(name)
    w = _w(rng, f_hw[0], f_hw[1], out_c, x_shape[-1])
    b = _w(rng, out_c)

    def fn(x):
        y = tf.nn.conv2d_transpose(
            x, w, [x_shape[0], out_hw[0], out_hw[1], out_c], strides, padding)
        return y + b
    return Case(name, fn, [In(x_shape)], op="TRANSPOSE_CONV", quant=quant)


def _bmm(name, quant, a_shape, b_shape, adj_x=False, adj_y=False):
    def fn(a, b):
        return tf.matmul(a, b, adjoint_a=adj_x, adjoint_b=adj_y)
    return Case(name, fn, [In(a_shape), In(b_shape)], op="BATCH_MATMUL",
                quant=quant)


def _bmm_const(name, quant, a_shape, b_shape, tol=1e-3):
    rng = _rng(name)
    b = _w(rng, *b_shape)

    def fn(a):
        return tf.matmul(a, b)
    return Case(name, fn, [In(a_shape)], op="BATCH_MATMUL", quant=quant,
                tol=tol)


def _pool(name, quant, kind, x_shape, k, s, padding, act="none"):
    def fn(x):
        p = tf.nn.avg_pool2d if kind == "avg" else tf.nn.max_pool2d
        return _ACTS[act](p(x, k, s, padding))
    op = "AVERAGE_POOL_2D" if kind == "avg" else "MAX_POOL_2D"
    return Case(name, fn, [In(x_shape)], op=op, quant=quant)


CASES = []
for q in ("int8", "16x8"):
    CASES += [
        _conv(f"{q}_conv_3x3_same_relu", q, [1, 9, 9, 5], (3, 3), 7, act="relu"),
        _conv(f"{q}_conv_3x3_valid_s2", q, [2, 11, 10, 4], (3, 3), 6, strides=2,
              padding="VALID"),
        _conv(f"{q}_conv_1x1_relu6", q, [1, 6, 6, 16], (1, 1), 8, act="relu6"),
        _conv(f"{q}_conv_dil2", q, [1, 12, 12, 3], (3, 3), 4, dil=2),
        _conv(f"{q}_conv_5x5_s2_same", q, [1, 13, 7, 3], (5, 5), 5, strides=2),
        _dw(f"{q}_dw_3x3_relu6", q, [1, 10, 10, 8], (3, 3), 1, act="relu6"),
        _dw(f"{q}_dw_3x3_m2_s2", q, [2, 9, 9, 3], (3, 3), 2, strides=2),
        _dw(f"{q}_dw_5x5_valid", q, [1, 11, 11, 4], (5, 5), 1, padding="VALID"),
        _fc(f"{q}_fc_relu", q, [3, 40], 17, act="relu"),
        _fc(f"{q}_fc_nobias", q, [1, 64], 10, bias=False),
        _fc(f"{q}_fc_3d", q, [2, 5, 24], 12),
        _pool(f"{q}_avgpool_3x3_s2_same", q, "avg", [1, 9, 9, 6], 3, 2, "SAME"),
        _pool(f"{q}_maxpool_2x2_valid", q, "max", [2, 8, 8, 5], 2, 2, "VALID"),
    ]
CASES += [
    _conv("int8_conv_grouped", "int8", [1, 8, 8, 8], (3, 3), 6, groups=2),
    _conv("int8_conv_relu_n1", "int8", [1, 6, 6, 4], (3, 3), 4,
          act="relu_n1_to_1"),
    _pool("int8_avgpool_relu6", "int8", "avg", [1, 8, 8, 4], 2, 1, "SAME",
          act="relu6"),
    _tconv("int8_tconv_s2_same", "int8", [1, 5, 5, 4], (3, 3), 6, 2, "SAME",
           (10, 10)),
    _tconv("int8_tconv_s2_valid", "int8", [1, 4, 4, 3], (3, 3), 5, 2, "VALID",
           (9, 9)),
    _bmm("int8_bmm", "int8", [2, 5, 7], [2, 7, 6]),
    _bmm("int8_bmm_adj", "int8", [3, 7, 4], [3, 6, 7], adj_x=True, adj_y=True),
    # Float model I/O: QUANTIZE / DEQUANTIZE at the edges.
    _conv("int8f_conv_3x3", "int8f", [1, 8, 8, 3], (3, 3), 8, act="relu6"),
    _fc("int8f_fc", "int8f", [2, 32], 16),
    # Dynamic range: weights of >= 1024 elements become int8.
    _fc("dyn_fc", "dynamic", [3, 64], 48, act="relu"),
    _fc("dyn_fc_nobias", "dynamic", [1, 128], 32, bias=False),
    _conv("dyn_conv_3x3", "dynamic", [1, 8, 8, 16], (3, 3), 16, act="relu"),
    _conv("dyn_conv_s2_valid", "dynamic", [2, 9, 9, 32], (3, 3), 8, strides=2,
          padding="VALID"),
    _dw("dyn_dw_3x3", "dynamic", [1, 8, 8, 128], (3, 3), 1),
    _bmm_const("dyn_bmm_const", "dynamic", [2, 3, 64], [64, 32]),
]

# Per-tensor weights (the converter's per-channel default switched off).
_PT = {"_experimental_disable_per_channel": True}
for _c in (_fc("16x8_fc_per_tensor", "16x8", [4, 48], 20, act="relu"),
           _fc("int8_fc_per_tensor", "int8", [4, 48], 20),
           _conv("int8_conv_per_tensor", "int8", [1, 7, 7, 6], (3, 3), 5),
           _conv("16x8_conv_per_tensor", "16x8", [1, 7, 7, 6], (3, 3), 5),
           _dw("int8_dw_per_tensor", "int8", [1, 7, 7, 6], (3, 3), 2)):
    _c.converter = dict(_PT)
    CASES.append(_c)

# Legacy uint8 (per-tensor): the int8 model rewritten to uint8 tensors.
CASES += [
    _conv("uint8_conv_3x3_relu6", "uint8", [1, 8, 8, 4], (3, 3), 6, act="relu6"),
    _conv("uint8_conv_s2_valid", "uint8", [2, 9, 9, 3], (3, 3), 5, strides=2,
          padding="VALID"),
    _dw("uint8_dw_3x3", "uint8", [1, 8, 8, 6], (3, 3), 1, act="relu"),
    _dw("uint8_dw_m2_s2", "uint8", [1, 9, 9, 3], (3, 3), 2, strides=2),
    _fc("uint8_fc", "uint8", [3, 40], 12, act="relu"),
    _pool("uint8_avgpool", "uint8", "avg", [1, 9, 9, 4], 3, 2, "SAME"),
    _pool("uint8_maxpool", "uint8", "max", [1, 8, 8, 4], 2, 2, "VALID"),
]

# More dynamic-range shapes: a per-tensor hybrid conv (TFLite's symmetric
# path), a batched constant rhs (stays BATCH_MATMUL), a 3-D FC input.
_c = _conv("dyn_conv_per_tensor", "dynamic", [1, 8, 8, 16], (3, 3), 16)
_c.converter = dict(_PT)
CASES += [
    _c,
    _bmm_const("dyn_bmm_batched", "dynamic", [2, 3, 64], [2, 64, 32]),
    _fc("dyn_fc_3d", "dynamic", [2, 4, 64], 32),
]

# TRANSPOSE_CONV under dynamic range: LiteRT has no hybrid kernel the
# converter targets, so the weights come as int8 + DEQUANTIZE (folded at
# prepare) feeding the float kernel.
CASES += [
    _tconv("dyn_tconv_s2", "dynamic", [1, 5, 5, 32], (3, 3), 32, 2, "SAME",
           (10, 10)),
]

CASES += [
    _tconv("16x8_tconv_s2_same", "16x8", [1, 5, 5, 4], (3, 3), 6, 2, "SAME",
           (10, 10)),
    _bmm("16x8_bmm", "16x8", [2, 5, 7], [2, 7, 6]),
    _dw("int8f_dw_3x3", "int8f", [1, 8, 8, 4], (3, 3), 1, act="relu6"),
    _pool("int8f_maxpool", "int8f", "max", [1, 8, 8, 3], 2, 2, "SAME"),
]


# Dynamic range, on-the-fly input quantization at its rounding edges.
# LiteRT's x86 build quantizes with TFLite's NEON tensor utils through
# NEON_2_SSE: q = zp + trunc(p + copysign(0.5, p)), p = x * (float)(1/scale)
# in float, scale from max - min in float (roundf for the last n % 8). These
# inputs put about a quarter of their values where the float product lands
# on k + 0.5 while the exact one does not (and at 0.49999997), so any other
# rounding (double evaluation, zero point added before rounding) flips
# quantized inputs and the outputs move by whole weight steps. Each row of
# `rows` (a batch image, or an FC row) holds the same min and max. Exact
# match required (tol 0): the hybrid kernels are bit-exact with BUILTIN_REF.
def _tie_values(name, shape, rows, lo, hi, symmetric=False):
    rng = _rng(name)
    x = rng.uniform(lo, hi, shape).astype(np.float32).reshape(rows, -1)
    lo32, hi32 = np.float32(lo), np.float32(hi)
    if symmetric:  # inv = 127 / max|x| in float
        inv = np.float32(127) / max(abs(lo32), abs(hi32))
    else:
        fs = np.float32(np.float64(hi32 - lo32) / 255.0)
        inv = np.float32(1.0 / np.float64(fs))
    ties = []
    for k in range(int(np.ceil(lo32 * inv)), int(np.floor(hi32 * inv)) - 1):
        h = k + 0.5
        t = np.float32(h / np.float64(inv))
        for _ in range(4):
            t = np.nextafter(t, np.float32(0))
        for _ in range(9):
            p = np.float32(t * inv)
            exact = np.float64(t) * np.float64(inv)
            if p == np.float32(h) and abs(exact) < abs(h) and lo32 < t < hi32:
                ties.append(t)
                break
            t = np.nextafter(t, np.float32(np.sign(h) * 1e9))
    # p = +-0.49999997: trunc(p +- 0.5f) gives +-1 (a tenth of the picks)
    small = np.float32(0.49999997)
    t = np.float32(small / inv)
    while np.float32(t * inv) >= small:
        t = np.nextafter(t, np.float32(0))
    while np.float32(t * inv) < small:
        t = np.nextafter(t, np.float32(1))
    if np.float32(t * inv) == small:
        ties += [t, -t] * max(1, len(ties) // 20)
    ties = np.array(ties, np.float32)
    cols = x.shape[1]
    for r in range(rows):
        pick = rng.random(cols) < 0.25
        x[r, pick] = rng.choice(ties, int(pick.sum()))
        x[r, 0], x[r, 1] = lo32, hi32
    return x.reshape(shape)


def _with_values(case, values):
    case.inputs[0].values = values
    return case


CASES += [
    # MobileNetV3Small's first wrong hybrid DEPTHWISE_CONV_2D: 5x5, stride 2,
    # SAME, 288 per-channel weights.
    _with_values(_dw("dyn_dw_5x5_s2_ties", "dynamic", [1, 8, 8, 288], (5, 5),
                     1, strides=2, tol=0.0),
                 _tie_values("dyn_dw_5x5_s2_ties", [1, 8, 8, 288], 1,
                             -0.375, 5.1545777)),
    # InceptionV3's hybrid CONV_2D: 3x3, VALID, relu, 32 per-channel weights.
    _with_values(_conv("dyn_conv_3x3_valid_relu_ties", "dynamic",
                       [1, 12, 12, 32], (3, 3), 32, padding="VALID",
                       act="relu", tol=0.0),
                 _tie_values("dyn_conv_3x3_valid_relu_ties", [1, 12, 12, 32],
                             1, -1.5, 2.25)),
    # FC rows quantized one by one; 100 columns leave a tail of 4 (roundf).
    _with_values(_fc("dyn_fc_ties_tail", "dynamic", [3, 100], 40, tol=0.0),
                 _tie_values("dyn_fc_ties_tail", [3, 100], 3, -2.0, 1.5)),
]

# The symmetric path (per-tensor hybrid CONV_2D) at its rounding edges:
# max|x| = 127 / 64 makes inv = 64, so p = 0.49999997 is reachable.
_c = _with_values(_conv("dyn_conv_per_tensor_ties", "dynamic", [1, 10, 10, 16],
                        (3, 3), 16, tol=0.0),
                  _tie_values("dyn_conv_per_tensor_ties", [1, 10, 10, 16], 1,
                              -1.75, 127 / 64, symmetric=True))
_c.converter = dict(_PT)
CASES.append(_c)

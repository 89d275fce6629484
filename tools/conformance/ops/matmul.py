"""FULLY_CONNECTED and BATCH_MATMUL: bias, activations, keep_num_dims,
input flattening, adj_x/adj_y, batch broadcasting, edge shapes."""
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


def _fc(name, x_shape, units, act="none", bias=True):
    rng = _rng(name)
    w = _w(rng, x_shape[-1], units)
    b = _w(rng, units)

    def fn(x):
        y = tf.matmul(x, w)
        if bias:
            y = y + b
        return _ACTS[act](y)
    return Case(name, fn, [In(x_shape)], op="FULLY_CONNECTED")


def _fc_nd(name, x_shape, units, bias=True):
    """A Dense layer over a rank > 2 input: the converter emits
    FULLY_CONNECTED with keep_num_dims (or a reshape around it)."""
    rng = _rng(name)
    w = _w(rng, x_shape[-1], units)
    b = _w(rng, units)

    def fn(x):
        y = tf.tensordot(x, w, axes=[[len(x_shape) - 1], [0]])
        return y + b if bias else y
    return Case(name, fn, [In(x_shape)], op="FULLY_CONNECTED")


def _flatten_fc(name, x_shape, units):
    """Reshape to [batch, rest] then FC: TFLite folds the reshape into the
    FC's own input flattening."""
    rest = int(np.prod(x_shape[1:]))
    rng = _rng(name)
    w = _w(rng, rest, units)

    def fn(x):
        return tf.matmul(tf.reshape(x, [-1, rest]), w)
    return Case(name, fn, [In(x_shape)], op="FULLY_CONNECTED")


def _bmm(name, a_shape, b_shape, adj_x=False, adj_y=False):
    def fn(a, b):
        return tf.linalg.matmul(a, b, adjoint_a=adj_x, adjoint_b=adj_y)
    return Case(name, fn, [In(a_shape), In(b_shape)], op="BATCH_MATMUL")


CASES = [
    _fc("fc_basic", [1, 8], 4),
    _fc("fc_batch3", [3, 10], 5),
    _fc("fc_no_bias", [2, 6], 3, bias=False),
    _fc("fc_relu", [2, 7], 6, act="relu"),
    _fc("fc_relu6", [2, 7], 6, act="relu6"),
    _fc("fc_relu_n1_to_1", [2, 7], 6, act="relu_n1_to_1"),
    _fc("fc_tanh", [2, 7], 6, act="tanh"),
    _fc("fc_one_unit", [4, 9], 1),
    _fc("fc_one_input", [5, 1], 3),
    _fc("fc_wide", [2, 257], 33),
    _fc_nd("fc_keep_dims_3d", [2, 3, 5], 4),
    _fc_nd("fc_keep_dims_4d", [2, 2, 3, 4], 3),
    _fc_nd("fc_keep_dims_batch3", [3, 4, 7], 5, bias=False),
    _fc("fc_big", [4, 300], 70, act="relu"),
    _flatten_fc("fc_flatten", [2, 3, 2, 2], 5),
    _bmm("bmm_2d", [3, 4], [4, 5]),
    _bmm("bmm_3d", [2, 3, 4], [2, 4, 5]),
    _bmm("bmm_adj_x", [2, 4, 3], [2, 4, 5], adj_x=True),
    _bmm("bmm_adj_y", [2, 3, 4], [2, 5, 4], adj_y=True),
    _bmm("bmm_adj_xy", [2, 4, 3], [2, 5, 4], adj_x=True, adj_y=True),
    _bmm("bmm_broadcast_lhs", [1, 3, 4], [3, 4, 2]),
    _bmm("bmm_broadcast_rank", [2, 3, 3, 4], [4, 5]),
    _bmm("bmm_broadcast_both", [2, 1, 3, 4], [1, 3, 4, 2]),
    _bmm("bmm_4d_adj", [2, 2, 4, 3], [2, 2, 2, 4], adj_x=True, adj_y=True),
    _bmm("bmm_k1", [2, 3, 1], [2, 1, 4]),
    _bmm("bmm_m1_n1", [3, 1, 6], [3, 6, 1]),
    _bmm("bmm_big", [2, 17, 33], [2, 33, 19]),
    _bmm("bmm_5d", [2, 1, 2, 2, 3], [1, 2, 1, 3, 2]),
]

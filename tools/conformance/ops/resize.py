"""RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR: every align_corners /
half_pixel_centers combination TFLite accepts, up- and down-sampling,
non-integer ratios, size-1 inputs and outputs. (The converter refuses
integer inputs and LiteRT empty ones; tests/test_ops_nn.c covers those.)"""
import tensorflow as tf

from cases import Case, In

_v1 = tf.compat.v1.image

_MODES = [("plain", False, False), ("align", True, False),
          ("half", False, True)]
_SIZES = [
    ("up2x", [1, 3, 4, 2], [6, 8]),
    ("up_odd", [2, 4, 3, 3], [7, 5]),
    ("down", [1, 8, 9, 2], [3, 4]),
    ("mixed", [1, 5, 2, 1], [3, 7]),
    ("to_1x1", [1, 4, 5, 2], [1, 1]),
    ("from_1x1", [1, 1, 1, 3], [3, 2]),
    ("same", [1, 3, 3, 2], [3, 3]),
]


def _bilinear(name, shape, size, align, half):
    def fn(x):
        return _v1.resize_bilinear(x, size, align_corners=align,
                                   half_pixel_centers=half)
    return Case(name, fn, [In(shape)], op="RESIZE_BILINEAR")


def _nearest(name, shape, size, align, half, dtype="float32"):
    def fn(x):
        return _v1.resize_nearest_neighbor(x, size, align_corners=align,
                                           half_pixel_centers=half)
    return Case(name, fn, [In(shape, dtype, -100, 100)],
                op="RESIZE_NEAREST_NEIGHBOR")


CASES = []
for _m, _a, _h in _MODES:
    for _s, _shape, _size in _SIZES:
        CASES.append(_bilinear(f"bilinear_{_m}_{_s}", _shape, _size, _a, _h))
        CASES.append(_nearest(f"nearest_{_m}_{_s}", _shape, _size, _a, _h))


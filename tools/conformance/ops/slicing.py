"""CONCATENATION, SPLIT, SPLIT_V, PACK, UNPACK, SLICE, STRIDED_SLICE,
TRANSPOSE, TILE, PAD, PADV2, MIRROR_PAD, REVERSE_V2, DYNAMIC_UPDATE_SLICE:
axes (negative too), every strided-slice mask, negative strides, size -1,
types other than float32, size-1 dims, batch > 1 and int8 models."""
import numpy as np
import tensorflow as tf

from cases import Case, In

CASES = [
    Case("concat_axis1", lambda a, b: tf.concat([a, b], 1),
         [In([2, 3, 4]), In([2, 5, 4])], op="CONCATENATION"),
    Case("concat_neg_axis_three", lambda a, b, c: tf.concat([a, b, c], -1),
         [In([2, 3, 1]), In([2, 3, 2]), In([2, 3, 4])], op="CONCATENATION"),
    Case("concat_axis0_int32", lambda a, b: tf.concat([a, b], 0),
         [In([1, 3], "int32", -9, 9), In([2, 3], "int32", -9, 9)],
         op="CONCATENATION"),
    Case("concat_bool", lambda a, b: tf.concat([a, b], 1),
         [In([2, 1], "bool"), In([2, 2], "bool")], op="CONCATENATION"),
    Case("concat_relu", lambda a, b: tf.nn.relu(tf.concat([a, b], 1)),
         [In([2, 3]), In([2, 2])], op="CONCATENATION"),
    Case("concat_const_input", lambda a: tf.concat(
        [a, tf.constant([[1.5], [2.5]])], 1), [In([2, 3])],
         op="CONCATENATION"),
    Case("split_axis1", lambda x: tf.split(x, 3, axis=1), [In([2, 6, 2])],
         op="SPLIT"),
    Case("split_neg_axis", lambda x: tf.split(x, 2, axis=-1),
         [In([3, 4], "int32", -9, 9)], op="SPLIT"),
    Case("split_one", lambda x: tf.split(x, 1, axis=0)[0] * 2,
         [In([3, 4])], op="SPLIT"),
    Case("split_v_sizes", lambda x: tf.split(x, [1, 3, 2], axis=1),
         [In([2, 6])], op="SPLIT_V"),
    Case("split_v_minus_one", lambda x: tf.split(x, [2, -1], axis=0),
         [In([5, 3])], op="SPLIT_V"),
    Case("pack_axis0", lambda a, b: tf.stack([a, b], 0),
         [In([2, 3]), In([2, 3])], op="PACK"),
    Case("pack_axis_last", lambda a, b, c: tf.stack([a, b, c], -1),
         [In([2, 3]), In([2, 3]), In([2, 3])], op="PACK"),
    Case("pack_int32_mid", lambda a, b: tf.stack([a, b], 1),
         [In([2, 3], "int32", -9, 9), In([2, 3], "int32", -9, 9)], op="PACK"),
    Case("unpack_axis0", lambda x: tf.unstack(x, axis=0), [In([3, 2, 2])],
         op="UNPACK"),
    Case("unpack_axis_neg", lambda x: tf.unstack(x, axis=-1),
         [In([2, 3, 2])], op="UNPACK"),
    Case("slice_basic", lambda x: tf.slice(x, [0, 1, 1], [2, 2, -1]),
         [In([2, 4, 5])], op="SLICE"),
    Case("slice_int32", lambda x: tf.slice(x, [1, 0], [1, 3]),
         [In([3, 3], "int32", -9, 9)], op="SLICE"),
    Case("slice_batch", lambda x: tf.slice(x, [1, 0, 2, 0], [2, -1, 1, 3]),
         [In([3, 2, 4, 3])], op="SLICE"),
]

# STRIDED_SLICE through Python indexing and tf.strided_slice with masks.
_ss = [
    ("ss_basic", [4, 6], lambda x: x[1:3, ::2]),
    ("ss_negative_stride", [5, 4], lambda x: x[::-1, 3:0:-2]),
    ("ss_negative_begin_end", [6, 5], lambda x: x[-4:-1, -3:]),
    ("ss_shrink", [3, 4, 5], lambda x: x[1, :, 2]),
    ("ss_shrink_negative", [3, 4], lambda x: x[-1]),
    ("ss_ellipsis", [2, 3, 4, 5], lambda x: x[..., 1:3]),
    ("ss_ellipsis_mid", [2, 3, 4, 5], lambda x: x[1, ..., ::2]),
    ("ss_new_axis", [3, 4], lambda x: x[:, tf.newaxis, 1:]),
    ("ss_new_axis_ellipsis", [2, 3, 4], lambda x: x[tf.newaxis, ..., 0]),
    ("ss_out_of_range", [4, 3], lambda x: x[2:100, -100:2]),
    ("ss_masks", [4, 5, 6], lambda x: tf.strided_slice(
        x, [1, 2, 5], [3, 0, 1], [1, -1, -2], begin_mask=0b010,
        end_mask=0b001)),
    ("ss_big_stride", [7, 3], lambda x: x[1::3, ::5]),
    ("ss_rank5", [2, 2, 3, 2, 4], lambda x: x[:, 1:, ::-1, :1, 1::2]),
]
CASES += [Case(n, fn, [In(shape)], op="STRIDED_SLICE") for n, shape, fn in _ss]
CASES += [
    Case("ss_int32", lambda x: x[::2, 1:], [In([4, 3], "int32", -9, 9)],
         op="STRIDED_SLICE"),
    Case("ss_bool", lambda x: x[1:, ::-1], [In([3, 3], "bool")],
         op="STRIDED_SLICE"),
    Case("ss_int64_shrink", lambda x: x[:, 0], [In([3, 2], "int64", -9, 9)],
         op="STRIDED_SLICE"),
]

CASES += [
    Case("transpose_2d", lambda x: tf.transpose(x), [In([3, 5])],
         op="TRANSPOSE"),
    Case("transpose_nhwc_nchw", lambda x: tf.transpose(x, [0, 3, 1, 2]),
         [In([2, 3, 4, 5])], op="TRANSPOSE"),
    Case("transpose_5d", lambda x: tf.transpose(x, [4, 2, 0, 3, 1]),
         [In([2, 3, 1, 2, 3])], op="TRANSPOSE"),
    Case("transpose_int8", lambda x: tf.transpose(x, [1, 0, 2]),
         [In([2, 3, 2], "int8", -100, 100)], op="TRANSPOSE"),
    Case("tile_2d", lambda x: tf.tile(x, [2, 3]), [In([2, 3])], op="TILE"),
    Case("tile_ones", lambda x: tf.tile(x, [1, 4, 1]), [In([2, 1, 3])],
         op="TILE"),
    Case("tile_int32", lambda x: tf.tile(x, [3]), [In([2], "int32", -9, 9)],
         op="TILE"),
    Case("tile_bool", lambda x: tf.tile(x, [2, 2]), [In([1, 2], "bool")],
         op="TILE"),
    Case("pad_2d", lambda x: tf.pad(x, [[1, 2], [0, 3]]), [In([2, 3])],
         op="PAD"),
    Case("pad_nhwc", lambda x: tf.pad(x, [[0, 0], [1, 1], [2, 0], [0, 0]]),
         [In([2, 3, 3, 2])], op="PAD"),
    Case("pad_int32", lambda x: tf.pad(x, [[2, 1]]), [In([3], "int32", -9, 9)],
         op="PAD"),
    Case("padv2_value", lambda x: tf.pad(x, [[1, 1], [1, 0]],
                                         constant_values=2.5),
         [In([2, 2])], op="PADV2"),
    Case("padv2_int32", lambda x: tf.pad(x, [[0, 2], [1, 1]],
                                         constant_values=-7),
         [In([2, 2], "int32", -9, 9)], op="PADV2"),
    Case("mirror_reflect", lambda x: tf.pad(x, [[1, 2], [2, 2]],
                                            mode="REFLECT"),
         [In([3, 4])], op="MIRROR_PAD"),
    Case("mirror_symmetric", lambda x: tf.pad(x, [[2, 2], [0, 3]],
                                              mode="SYMMETRIC"),
         [In([3, 4])], op="MIRROR_PAD"),
    Case("mirror_reflect_nhwc", lambda x: tf.pad(
        x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT"),
         [In([2, 4, 3, 2])], op="MIRROR_PAD"),
    Case("mirror_symmetric_int32", lambda x: tf.pad(x, [[1, 1]],
                                                    mode="SYMMETRIC"),
         [In([1], "int32", -9, 9)], op="MIRROR_PAD"),
]

# Fully int8 models (int8 in and out): the data-movement ops run on
# quantized tensors, PAD filling with the zero point.
def _rep(*shapes):
    def gen():
        rng = np.random.default_rng(3)
        for _ in range(8):
            yield [rng.uniform(-2, 2, s).astype(np.float32) for s in shapes]
    return gen


def _int8(name, fn, shapes, op):
    conv = {"optimizations": [tf.lite.Optimize.DEFAULT],
            "representative_dataset": _rep(*shapes),
            "target_spec.supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS_INT8],
            "inference_input_type": tf.int8,
            "inference_output_type": tf.int8}
    return Case(name, fn, [In(s, low=-100, high=100) for s in shapes],
                converter=conv, op=op)


CASES += [
    _int8("int8_pad", lambda x: tf.pad(x, [[0, 0], [1, 2], [2, 1], [0, 0]]),
          [[1, 3, 3, 2]], "PAD"),
    _int8("int8_transpose", lambda x: tf.transpose(x, [0, 2, 1]),
          [[2, 3, 4]], "TRANSPOSE"),
    _int8("int8_strided_slice", lambda x: x[:, ::-2, 1:], [[2, 5, 3]],
          "STRIDED_SLICE"),
    _int8("int8_concat", lambda a, b: tf.concat([a, b], -1),
          [[2, 3], [2, 2]], "CONCATENATION"),
    _int8("int8_split_pack", lambda x: tf.stack(tf.split(x, 2, 1)[::-1], 0),
          [[2, 4]], "SPLIT"),
    _int8("int8_mirror_pad", lambda x: tf.pad(x, [[1, 1], [2, 2]],
                                              mode="REFLECT"),
          [[3, 4]], "MIRROR_PAD"),
]

# REVERSE_V2 and DYNAMIC_UPDATE_SLICE (start indices are data, clamped so
# the update fits).
def _xla():
    from tensorflow.compiler.tf2xla.python import xla
    return xla


CASES += [
    Case("reverse_axis0", lambda x: tf.reverse(x, [0]), [In([3, 4])],
         op="REVERSE_V2"),
    Case("reverse_last_int32", lambda x: tf.reverse(x, [-1]),
         [In([2, 3, 5], "int32", -9, 9)], op="REVERSE_V2"),
    # LiteRT reverses only contiguous axes.
    Case("reverse_two_axes", lambda x: tf.reverse(x, [1, 2]),
         [In([2, 3, 4])], op="REVERSE_V2"),
    Case("dus_basic", lambda x, u, i: _xla().dynamic_update_slice(x, u, i),
         [In([4, 5]), In([2, 3]), In([2], "int32", values=[1, 2])],
         op="DYNAMIC_UPDATE_SLICE"),
    Case("dus_clamped", lambda x, u, i: _xla().dynamic_update_slice(x, u, i),
         [In([4, 5]), In([3, 3]), In([2], "int32", values=[3, -2])],
         op="DYNAMIC_UPDATE_SLICE"),
]

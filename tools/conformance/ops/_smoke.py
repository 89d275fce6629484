"""Private examples for testing gen_ops.py/check_ops.py themselves (read
only with --family _smoke). The real op families live beside this file."""
import numpy as np
import tensorflow as tf

from cases import Case, In

W = np.random.default_rng(7).uniform(-1, 1, (3, 3, 2, 4)).astype(np.float32)

CASES = [
    Case("add_broadcast", lambda a, b: a + b,
         [In([2, 1, 3]), In([4, 1])], op="ADD"),
    Case("conv_same_relu", lambda x: tf.nn.relu(
        tf.nn.conv2d(x, W, strides=2, padding="SAME")),
         [In([1, 7, 6, 2])], op="CONV_2D"),
    Case("argmax_int", lambda x: tf.argmax(x, axis=1, output_type=tf.int32),
         [In([3, 5])], op="ARG_MAX"),
    Case("less_bool", lambda a, b: tf.math.less(a, b),
         [In([4], "int32", -3, 3), In([4], "int32", -3, 3)], op="LESS"),
    Case("split_two_outputs", lambda x: tf.split(x, 2, axis=1),
         [In([2, 4])], op="SPLIT"),
    Case("softmax_fixed", lambda x: tf.nn.softmax(x),
         [In([1, 3], values=[[1.0, 2.0, 3.0]])], op="SOFTMAX"),
]

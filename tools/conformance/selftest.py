#!/usr/bin/env python3
"""Tests of the conformance tooling itself: the comparison rule, seeded
inputs, the spec hash, the segmented runner and the custom-op rewrite.
A checker that cannot fail would make every conformance result worthless,
so each rule is also shown to reject what it must reject.

Ends with "N passed, N failed". Run with the project venv.
"""
import glob
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import CACHE, compare, quiet_tensorflow, random_array  # noqa: E402

quiet_tensorflow()
import numpy as np  # noqa: E402

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def compare_float_tolerance():
    ref = np.array([0.0, 10.0, -20.0], np.float32)
    # limit = 1e-4 * max(1, 20) = 2e-3
    assert compare(ref + np.float32(1.9e-3), ref, 1e-4).ok
    assert not compare(ref + np.float32(2.2e-3), ref, 1e-4).ok
    small = np.array([0.1, -0.2], np.float32)  # max|ref| < 1: absolute 1e-4
    assert compare(small + np.float32(9e-5), small, 1e-4).ok
    assert not compare(small + np.float32(2e-4), small, 1e-4).ok


@test
def compare_specials():
    ref = np.array([np.nan, np.inf, -np.inf, 1.0], np.float32)
    assert compare(ref.copy(), ref, 1e-4).ok
    moved = np.array([1.0, np.inf, -np.inf, np.nan], np.float32)
    assert not compare(moved, ref, 1e-4).ok
    flipped = np.array([np.nan, -np.inf, np.inf, 1.0], np.float32)
    assert not compare(flipped, ref, 1e-4).ok
    finite = np.array([1.0, 2.0], np.float32)
    assert not compare(np.array([1.0, np.nan], np.float32), finite, 1e-4).ok
    assert not compare(np.array([1.0, np.inf], np.float32), finite, 1e-4).ok


@test
def compare_exact_types_and_shapes():
    i = np.array([1, 2, 3], np.int32)
    assert compare(i.copy(), i, 1e-4).ok
    assert not compare(i + np.int32(1), i, 1e9).ok  # tolerance never applies
    b = np.array([True, False])
    assert compare(b.copy(), b, 0).ok
    assert not compare(~b, b, 0).ok
    assert not compare(i.astype(np.int64), i, 1e-4).ok  # dtype must match
    assert not compare(i.reshape(1, 3), i, 1e-4).ok      # shape must match
    e = np.zeros((3, 0), np.float32)
    assert compare(e.copy(), e, 1e-4).ok
    assert not compare(np.zeros((0, 3), np.float32), e, 1e-4).ok


@test
def seeded_inputs():
    a = random_array(np.random.default_rng(5), [1000], "int32", -3, 3)
    assert a.dtype == np.int32 and a.min() == -3 and a.max() == 3  # inclusive
    f = random_array(np.random.default_rng(5), [1000], "float32", -1, 1)
    assert f.dtype == np.float32 and f.min() >= -1 and f.max() < 1
    g = random_array(np.random.default_rng(5), [1000], "float32", -1, 1)
    assert np.array_equal(f, g)
    u = random_array(np.random.default_rng(5), [100], "uint8", -5, 300)
    assert u.min() >= 0 and u.max() <= 255  # clipped to the type's range
    t = random_array(np.random.default_rng(5), [100], "bool", 0, 1)
    assert t.dtype == np.bool_ and t.any() and (~t).any()


@test
def spec_hash_tracks_the_case():
    import gen_ops
    from cases import Case, In
    k = 2.0
    W = np.ones(3, np.float32)

    def make(scale):
        return lambda x: x * scale

    base = Case("c", make(2.0), [In([3])])
    same = Case("c", make(2.0), [In([3])])
    other_closure = Case("c", make(3.0), [In([3])])
    other_input = Case("c", make(2.0), [In([4])])
    other_seed = Case("c", make(2.0), [In([3])], seed=1)
    h = lambda c: gen_ops.spec_hash("f", c, "v")  # noqa: E731
    assert h(base) == h(same)
    assert len({h(base), h(other_closure), h(other_input), h(other_seed)}) == 4
    assert h(base) != gen_ops.spec_hash("f", base, "v2")  # tool versions count
    # Globals read by name (weights) are part of the hash.
    g1 = {"W": W, "np": np}
    g2 = {"W": W * 2, "np": np}
    f1 = eval("lambda x: x * W", g1)
    f2 = eval("lambda x: x * W", g2)
    assert h(Case("c", f1, [In([3])])) != h(Case("c", f2, [In([3])]))
    del k


def _tiny_model():
    import tensorflow as tf
    w = np.random.default_rng(0).uniform(-1, 1, (3, 3, 2, 4)).astype(np.float32)

    def fn(x, y):
        a = tf.nn.relu(tf.nn.conv2d(x, w, 1, "SAME"))
        b = tf.reduce_mean(a, axis=[1, 2]) + y
        return tf.nn.softmax(b), a * 2.0

    specs = [tf.TensorSpec([1, 5, 5, 2], tf.float32), tf.TensorSpec([1, 4], tf.float32)]
    cf = tf.function(fn, input_signature=specs).get_concrete_function()
    import logging
    from gen_ops import native_stderr_to_file
    logging.getLogger("absl").setLevel(logging.ERROR)
    with native_stderr_to_file():
        return tf.lite.TFLiteConverter.from_concrete_functions([cf]).convert()


@test
def segmented_runner_matches_litert():
    import segmented_ref
    from ai_edge_litert import interpreter as litert
    model = _tiny_model()
    it = litert.Interpreter(model_content=model,
                            experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    rng = np.random.default_rng(1)
    xs = [rng.uniform(-1, 1, d["shape"]).astype(np.float32) for d in it.get_input_details()]
    for d, x in zip(it.get_input_details(), xs):
        it.set_tensor(d["index"], x)
    it.invoke()
    want = [it.get_tensor(d["index"]) for d in it.get_output_details()]
    n_ops = len(it._get_ops_details())
    assert n_ops >= 4
    for cuts in [(), (1,), (1, 2, 3), tuple(range(n_ops))]:
        got, n = segmented_ref.run(model, xs, cuts=cuts)
        assert n == n_ops
        for g, w in zip(got, want):
            assert np.array_equal(g, w), f"cuts {cuts}: max diff {np.abs(g - w).max()}"


@test
def numpy_custom_ops_geometry():
    import segmented_ref as S
    # TransformLandmarks: x' = m00 x + m01 y + m03, y' = m10 x + m11 y + m13.
    m = np.eye(4, dtype=np.float32)
    m[0, 3], m[1, 3], m[0, 1] = 5.0, -2.0, 0.5
    lm = np.array([[[1.0, 2.0], [3.0, 4.0]]], np.float32)
    out = S.transform_landmarks_v2(lm, m[None], {}, (1, 2, 2))
    assert np.allclose(out, [[[1 + 1 + 5, 2 - 2], [3 + 2 + 5, 4 - 2]]])
    # TransformTensorBilinear with the identity matrix samples pixel centres
    # shifted by the half-pixel correction: out(x, y) = in(x, y).
    img = np.arange(1 * 4 * 4 * 2, dtype=np.float32).reshape(1, 4, 4, 2)
    out = S.transform_tensor_bilinear_v2(img, np.eye(4, dtype=np.float32), {}, (1, 4, 4, 2))
    assert np.array_equal(out, img)
    # A shift by half a pixel averages neighbours; beyond the edge gives 0.
    shift = np.eye(4, dtype=np.float32)
    shift[0, 3] = 0.5
    out = S.transform_tensor_bilinear_v2(img, shift, {}, (1, 4, 4, 2))
    assert np.allclose(out[0, 0, 0], (img[0, 0, 0] + img[0, 0, 1]) / 2)
    assert np.all(out[0, :, 3] == 0)  # x = 3.5 > W - 1
    # Landmarks2TransformMatrix: an axis-aligned square of landmarks gives a
    # pure scale + shift mapping the output grid onto the box.
    pts = np.zeros((1, 4, 3), np.float32)
    pts[0, :, :2] = [[10, 20], [30, 20], [10, 40], [30, 40]]
    opts = {"subset_idxs": [0, 1, 2, 3], "left_rotation_idx": 0, "right_rotation_idx": 1,
            "output_width": 16, "output_height": 16, "scale_x": 1.0, "scale_y": 1.0,
            "target_rotation_radians": 0.0}
    t = S.landmarks_to_transform_matrix_v2(pts, opts, (1, 4, 4))[0]
    corner = t @ np.array([0, 0, 0, 1], np.float32)
    far = t @ np.array([16, 16, 0, 1], np.float32)
    assert np.allclose(corner[:2], [10, 20], atol=1e-4), corner
    assert np.allclose(far[:2], [30, 40], atol=1e-4), far


@test
def tconv_rewrite_matches_mediapipe_semantics():
    """The rewritten selfie model's TRANSPOSE_CONV output equals MediaPipe's
    transpose-conv-with-bias, computed here by scattering each input pixel
    through the kernel (float64)."""
    paths = glob.glob(os.path.join(CACHE, "mediapipe", "**", "selfie_segmentation.tflite"),
                      recursive=True)
    if not paths:
        raise AssertionError("selfie_segmentation.tflite not in .cache; run "
                             "scripts/fetch_mediapipe.sh")
    import rewrite_custom
    from ai_edge_litert import interpreter as litert
    with open(paths[0], "rb") as f:
        model, done = rewrite_custom.rewrite(f.read())
    assert done == {"Convolution2DTransposeBias": 1}
    it = litert.Interpreter(model_content=model,
                            experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF,
                            experimental_preserve_all_tensors=True)
    it.allocate_tensors()
    d = it.get_input_details()[0]
    it.set_tensor(d["index"], np.random.default_rng(3).uniform(0, 1, d["shape"]).astype(np.float32))
    it.invoke()
    op = [o for o in it._get_ops_details() if o["op_name"] == "TRANSPOSE_CONV"][0]
    _, w, x, b = [it.get_tensor(i) for i in op["inputs"]]
    y = it.get_tensor(op["outputs"][0])
    n, h, wd, c = x.shape
    o, kh, kw, _ = w.shape
    s = 2  # the model's strides (checked by the rewrite against its options)
    pad_h = max(0, kh - (h - 1) % s - 1)
    pad_w = max(0, kw - (wd - 1) % s - 1)
    oh, ow = s * (h - 1) + kh - pad_h, s * (wd - 1) + kw - pad_w
    full = np.zeros((n, s * (h - 1) + kh, s * (wd - 1) + kw, o)) + b
    for ky in range(kh):
        for kx in range(kw):
            contrib = np.einsum("nhwc,oc->nhwo", x.astype(np.float64),
                                w[:, ky, kx, :].astype(np.float64))
            full[:, ky:ky + s * h:s, kx:kx + s * wd:s, :] += contrib
    want = full[:, pad_h // 2:pad_h // 2 + oh, pad_w // 2:pad_w // 2 + ow, :]
    assert y.shape == want.shape, (y.shape, want.shape)
    err = np.abs(y - want).max()
    assert err <= 1e-5 * max(1.0, np.abs(want).max()), err


def main():
    passed = failed = 0
    only = sys.argv[1] if len(sys.argv) > 1 else ""
    for fn in TESTS:
        if only not in fn.__name__:
            continue
        try:
            fn()
            print(f"ok   {fn.__name__}")
            passed += 1
        except Exception:
            print(f"FAIL {fn.__name__}")
            traceback.print_exc(limit=3, file=sys.stdout)
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""MediaPipe custom ops: single-op models checked against NumPy references.

LiteRT cannot run MediaPipe's custom ops and the TF converter cannot make
them, so this family has no LiteRT cases (CASES is empty for gen_ops.py).
Run it as a script instead:

    python tools/conformance/ops/mediapipe.py [--pocketnn build/pocketnn]

It builds one-op .tflite models (TF's flatbuffer object API) with the
options encoded as MediaPipe's models encode them (raw TfLite*Params
structs or FlexBuffers maps), runs `pocketnn run` on seeded random inputs,
and compares every output with the NumPy references below, written from
the semantics of MediaPipe's CPU kernels (the .cc files in
mediapipe/util/tflite/operations/). Ends with "N passed, N failed".

The whole-model check (tools/conformance/mediapipe_check.py) covers the
same ops inside selfie_segmentation and face_landmark_with_attention;
these cases sweep shapes, strides, paddings and option values, and cover
MaxPoolingWithArgmax2D / MaxUnpooling2D, which no published model uses.
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

CASES = []  # nothing for gen_ops.py: LiteRT cannot run these ops

F = np.float32
SAME, VALID = 1, 2  # TfLitePadding in the raw options structs


# ------------------------------------------------------------ references

def ref_transpose_conv_bias(x, w, b, padding, sw, sh):
    """Full transpose conv (scatter), then MediaPipe's crop: the output is
    the full size minus SAME's total padding, cut half from the top/left."""
    n, h, wd, _ = x.shape
    o, kh, kw, _ = w.shape
    full = np.zeros((n, (h - 1) * sh + kh, (wd - 1) * sw + kw, o), np.float64)
    for iy in range(h):
        for ix in range(wd):
            full[:, iy * sh:iy * sh + kh, ix * sw:ix * sw + kw, :] += np.einsum(
                "nc,ohwc->nhwo", x[:, iy, ix, :].astype(np.float64), w)
    ph = max(0, kh - (h - 1) % sh - 1) if padding == SAME else 0
    pw = max(0, kw - (wd - 1) % sw - 1) if padding == SAME else 0
    oh, ow = full.shape[1] - ph, full.shape[2] - pw
    out = full[:, ph // 2:ph // 2 + oh, pw // 2:pw // 2 + ow, :] + b
    return [out.astype(F)]


def _pool_geometry(size, f, s, padding):
    out = (size + s - 1) // s if padding == SAME else (size - f + s) // s
    pad = max(((out - 1) * s + f - size) // 2, 0)
    return out, pad


def ref_max_pool_argmax(x, padding, sw, sh, fw, fh, act=0):
    n, h, w, c = x.shape
    oh, ph = _pool_geometry(h, fh, sh, padding)
    ow, pw = _pool_geometry(w, fw, sw, padding)
    out = np.zeros((n, oh, ow, c), F)
    idx = np.zeros((n, oh, ow, c), F)
    lo, hi = {0: (-np.inf, np.inf), 1: (0, np.inf), 2: (-1, 1), 3: (0, 6)}[act]
    for oy in range(oh):
        for ox in range(ow):
            y0, x0 = oy * sh - ph, ox * sw - pw
            ys, xs = max(0, y0), max(0, x0)
            win = x[:, ys:min(h, y0 + fh), xs:min(w, x0 + fw), :]
            flat = win.reshape(n, -1, c)
            k = np.argmax(flat, axis=1)  # first maximum, as the C++ '>'
            ky, kx = k // win.shape[2] + (ys - y0), k % win.shape[2] + (xs - x0)
            out[:, oy, ox, :] = np.clip(flat.max(axis=1), lo, hi)
            idx[:, oy, ox, :] = (ky * fw + kx).astype(F) + F(0.1)
    return [out, idx]


def ref_max_unpooling(x, ind, sw, sh, fw, fh):
    n, h, w, c = x.shape
    oh, ow = h * fh, w * fw
    ph = max(((h - 1) * sh + fh - oh) // 2, 0)
    pw = max(((w - 1) * sw + fw - ow) // 2, 0)
    out = np.zeros((n, oh, ow, c), F)
    for b in range(n):
        for y in range(h):
            for xx in range(w):
                for ch in range(c):
                    k = int(ind[b, y, xx, ch])  # truncates like the C++ cast
                    qy, qx = int(k / fw), int(np.fmod(k, fw))  # C semantics
                    oy, ox = y * sh - ph + qy, xx * sw - pw + qx
                    if 0 <= oy < oh and 0 <= ox < ow:
                        out[b, oy, ox, ch] = x[b, y, xx, ch]
    return [out]


def ref_transform_landmarks(lm, m):
    m = m.reshape(-1)[:8].astype(F)
    out = lm.copy()
    x, y = lm[..., 0], lm[..., 1]
    out[..., 0] = m[0] * x + m[1] * y + m[3]
    out[..., 1] = m[4] * x + m[5] * y + m[7]
    return [out.astype(F)]


def ref_transform_tensor_bilinear(data, m, oh, ow):
    _, h, w, c = data.shape
    m = m.reshape(-1)[:8].astype(np.float64)
    # Align corners: sample at T applied to the pixel centre, minus 0.5.
    ax = m[3] + m[0] * 0.5 + m[1] * 0.5 - 0.5
    ay = m[7] + m[4] * 0.5 + m[5] * 0.5 - 0.5
    out = np.zeros((1, oh, ow, c), F)
    pad = np.zeros((h + 1, w + 1, c))
    pad[:h, :w] = data[0]
    for oy in range(oh):
        for ox in range(ow):
            tx = m[0] * ox + m[1] * oy + ax
            ty = m[4] * ox + m[5] * oy + ay
            if tx < 0 or tx > w - 1 or ty < 0 or ty > h - 1:
                continue
            x0, y0 = int(np.floor(tx)), int(np.floor(ty))
            rx, ry = tx - x0, ty - y0
            top = (1 - rx) * pad[y0, x0] + rx * pad[y0, x0 + 1]
            bot = (1 - rx) * pad[y0 + 1, x0] + rx * pad[y0 + 1, x0 + 1]
            out[0, oy, ox] = ry * bot + (1 - ry) * top
    return [out]


def ref_landmarks_to_matrix(lm, opts):
    p = lm.reshape(-1, 3).astype(np.float64)
    sub = list(opts["subset_idxs"])
    if len(sub) % 2:
        sub.append(sub[-1])
    left, right = p[opts["left_rotation_idx"]], p[opts["right_rotation_idx"]]
    r = opts["target_rotation_radians"] - np.arctan2(right[1] - left[1],
                                                    right[0] - left[0])
    rot = np.array([[np.cos(r), -np.sin(r)], [np.sin(r), np.cos(r)]])
    pts = p[sub, :2] @ rot.T
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    size = hi - lo
    center = rot.T @ ((lo + hi) / 2)  # back to the input frame
    ow, oh = opts["output_width"], opts["output_height"]
    t = np.eye(4)
    t[:2, 3] = center
    r4 = np.eye(4)
    r4[:2, :2] = rot.T
    s4 = np.diag([opts["scale_x"] * size[0] / ow,
                  opts["scale_y"] * size[1] / oh, 1, 1])
    sh = np.eye(4)
    sh[:2, 3] = [-ow / 2, -oh / 2]
    return [(t @ r4 @ s4 @ sh).astype(F).reshape(1, 4, 4)]


# --------------------------------------------------------- model building

def build_model(name, custom_options, inputs, consts, outputs, version=1):
    """One custom op. inputs: [(name, array)] fed at run time; consts:
    [(name, array)] stored in the model; outputs: [(name, shape)]. The op
    reads inputs then consts, in order."""
    from tensorflow.lite.python import schema_py_generated as S
    from tensorflow.lite.tools import flatbuffer_utils as fu

    model = S.ModelT()
    model.version = 3
    model.buffers = [S.BufferT()]
    sg = S.SubGraphT()
    sg.tensors = []

    def tensor(tname, shape, data=None):
        t = S.TensorT()
        t.name = tname.encode()
        t.shape = np.array(shape, np.int32)
        t.type = S.TensorType.FLOAT32
        t.buffer = 0
        if data is not None:
            buf = S.BufferT()
            buf.data = np.frombuffer(np.ascontiguousarray(data, F).tobytes(), np.uint8)
            model.buffers.append(buf)
            t.buffer = len(model.buffers) - 1
        sg.tensors.append(t)
        return len(sg.tensors) - 1

    ins = [tensor(n, a.shape) for n, a in inputs]
    cs = [tensor(n, a.shape, a) for n, a in consts]
    outs = [tensor(n, s) for n, s in outputs]
    code = S.OperatorCodeT()
    code.builtinCode = S.BuiltinOperator.CUSTOM
    code.deprecatedBuiltinCode = S.BuiltinOperator.CUSTOM
    code.customCode = name.encode()
    code.version = version
    model.operatorCodes = [code]
    op = S.OperatorT()
    op.opcodeIndex = 0
    op.inputs = np.array(ins + cs, np.int32)
    op.outputs = np.array(outs, np.int32)
    op.customOptions = np.frombuffer(custom_options, np.uint8)
    op.customOptionsFormat = S.CustomOptionsFormat.FLEXBUFFERS
    sg.operators = [op]
    sg.inputs = np.array(ins, np.int32)
    sg.outputs = np.array(outs, np.int32)
    model.subgraphs = [sg]
    return bytes(fu.convert_object_to_bytearray(model))


def flex(d):
    from flatbuffers import flexbuffers
    return bytes(flexbuffers.Dumps(d))


def raw(*ints):
    return struct.pack("<%di" % len(ints), *ints)


# ----------------------------------------------------------------- cases

def mp_cases():
    """Yields (case name, model bytes, input arrays, expected outputs, tol)."""
    rng = np.random.default_rng(11)
    u = lambda *s, lo=-1.0, hi=1.0: rng.uniform(lo, hi, s).astype(F)  # noqa: E731

    # Convolution2DTransposeBias: paddings, strides, kernels, batch, channels.
    for (n, h, w, ci, co, kh, kw, sh, sw, pad) in [
            (1, 4, 4, 3, 2, 2, 2, 2, 2, SAME), (1, 5, 3, 2, 4, 3, 3, 2, 2, SAME),
            (2, 3, 4, 2, 3, 3, 2, 1, 2, VALID), (1, 4, 4, 1, 1, 4, 4, 2, 2, SAME),
            (1, 3, 3, 4, 2, 1, 1, 3, 3, SAME), (1, 6, 5, 3, 2, 5, 3, 3, 1, VALID),
            (1, 1, 1, 2, 2, 3, 3, 2, 2, SAME)]:
        x, wt, b = u(n, h, w, ci), u(co, kh, kw, ci), u(co)
        exp = ref_transpose_conv_bias(x, wt, b, pad, sw, sh)
        m = build_model("Convolution2DTransposeBias", raw(pad, sw, sh),
                        [("x", x)], [("w", wt), ("b", b)], [("y", exp[0].shape)])
        yield (f"tconv_{n}x{h}x{w}x{ci}_k{kh}x{kw}_s{sh}x{sw}_"
               f"{'same' if pad == SAME else 'valid'}", m, [x], exp, 1e-5)

    # MaxPoolingWithArgmax2D, and MaxUnpooling2D fed its indices.
    for (n, h, w, c, fh, fw, sh, sw, pad, act) in [
            (1, 4, 4, 2, 2, 2, 2, 2, SAME, 0), (2, 5, 7, 3, 3, 3, 2, 2, SAME, 0),
            (1, 6, 5, 2, 3, 2, 2, 1, VALID, 0), (1, 5, 5, 1, 2, 2, 2, 2, SAME, 1),
            (1, 4, 6, 2, 3, 3, 1, 1, SAME, 3)]:
        x = u(n, h, w, c, lo=-8, hi=8)
        # Ties: a coarse grid makes equal maxima in a window common.
        x = np.round(x).astype(F)
        exp = ref_max_pool_argmax(x, pad, sw, sh, fw, fh, act)
        opts = raw(pad, sw, sh, fw, fh, act) + bytes(16)  # + computed padding
        m = build_model("MaxPoolingWithArgmax2D", opts, [("x", x)], [],
                        [("y", exp[0].shape), ("i", exp[1].shape)])
        tag = f"{n}x{h}x{w}x{c}_f{fh}x{fw}_s{sh}x{sw}_{pad}_{act}"
        yield f"argmax_{tag}", m, [x], exp, 0.0
        if pad == SAME and (fh, fw) == (sh, sw):
            y, ind = exp
            ind = ind.copy()
            ind.reshape(-1)[::5] = F(1e3)  # out-of-range: must be skipped
            ind.reshape(-1)[1::7] = F(-3.5)
            uexp = ref_max_unpooling(y, ind, sw, sh, fw, fh)
            m = build_model("MaxUnpooling2D", opts, [("y", y), ("i", ind)], [],
                            [("z", uexp[0].shape)])
            yield f"unpool_{tag}", m, [y, ind], uexp, 0.0

    # TransformLandmarks v2: 2-D and 3-D landmarks.
    for d in (2, 3):
        lm, mat = u(1, 37, d, lo=0, hi=64), u(1, 4, 4, lo=-2, hi=2)
        exp = ref_transform_landmarks(lm, mat)
        m = build_model("TransformLandmarks", b"", [("lm", lm), ("m", mat)], [],
                        [("o", lm.shape)], version=2)
        yield f"transform_landmarks_d{d}", m, [lm, mat], exp, 1e-5

    # TransformTensorBilinear v2: scaling, rotation, out-of-bounds regions.
    for (h, w, c, oh, ow, theta, scale, sx, sy) in [
            (8, 8, 3, 4, 4, 0.0, 2.0, 0.0, 0.0),
            (12, 10, 2, 6, 5, 0.4, 1.5, 1.0, 2.0),
            (6, 6, 1, 9, 9, -0.8, 0.9, -1.0, 3.0),
            (16, 16, 4, 8, 8, 0.0, 1.0, 12.0, 12.0)]:
        data = u(1, h, w, c)
        mat = np.eye(4, dtype=F)
        mat[0, :2] = [scale * np.cos(theta), -scale * np.sin(theta)]
        mat[1, :2] = [scale * np.sin(theta), scale * np.cos(theta)]
        mat[:2, 3] = [sx, sy]
        mat = mat.reshape(1, 4, 4)
        exp = ref_transform_tensor_bilinear(data, mat, oh, ow)
        m = build_model("TransformTensorBilinear",
                        flex({"output_height": oh, "output_width": ow}),
                        [("x", data), ("m", mat)], [], [("y", exp[0].shape)],
                        version=2)
        yield f"transform_bilinear_{h}x{w}x{c}_to_{oh}x{ow}_r{theta}", m, \
            [data, mat], exp, 1e-5

    # Landmarks2TransformMatrix v2: odd/even subsets, rotations, scales.
    for (n, subset, left, right, target, scx, scy, oh, ow) in [
            (20, [0, 3, 5, 7, 9, 12], 2, 11, 0.0, 1.5, 1.5, 16, 16),
            (50, [1, 4, 8, 30, 41], 10, 20, 0.3, 2.0, 1.0, 24, 12),
            (8, [7, 0], 7, 0, -1.2, 1.0, 3.0, 5, 9)]:
        lm = u(1, n, 3, lo=0, hi=100)
        opts = {"subset_idxs": subset, "left_rotation_idx": left,
                "right_rotation_idx": right, "target_rotation_radians": target,
                "output_height": oh, "output_width": ow, "scale_x": scx,
                "scale_y": scy}
        exp = ref_landmarks_to_matrix(lm, opts)
        m = build_model("Landmarks2TransformMatrix", flex(opts), [("lm", lm)],
                        [], [("o", (1, 4, 4))], version=2)
        yield f"landmarks_to_matrix_n{n}_k{len(subset)}", m, [lm], exp, 1e-4


# ---------------------------------------------------------------- runner

def run_case(pocketnn, model, inputs):
    with tempfile.TemporaryDirectory(prefix="pnn-mp-") as d:
        path = os.path.join(d, "model.tflite")
        with open(path, "wb") as f:
            f.write(model)
        cmd = [pocketnn, "run", path, "--save-outputs", d]
        for k, a in enumerate(inputs):
            p = os.path.join(d, f"in{k}.npy")
            np.save(p, a)
            cmd += ["--input", f"{k}={p}"]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=120)
        if proc.returncode:
            return None, proc.stderr.strip().splitlines()[-1:] or ["failed"]
        outs, k = [], 0
        while os.path.exists(os.path.join(d, f"output_{k}.npy")):
            outs.append(np.load(os.path.join(d, f"output_{k}.npy")))
            k += 1
        return outs, None


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, "..", "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pocketnn", default=os.path.join(root, "build", "pocketnn"))
    ap.add_argument("--case", help="only cases whose name contains this")
    args = ap.parse_args()
    passed = failed = 0
    for name, model, inputs, expected, tol in mp_cases():
        if args.case and args.case not in name:
            continue
        outs, err = run_case(args.pocketnn, model, inputs)
        why = err[0] if err else ""
        worst = 0.0
        if not err:
            if len(outs) != len(expected):
                why = f"{len(outs)} outputs, want {len(expected)}"
            for o, e in zip(outs, expected):
                if o.shape != e.shape:
                    why = f"shape {o.shape}, want {e.shape}"
                    break
                diff = float(np.max(np.abs(o.astype(np.float64) - e), initial=0))
                worst = max(worst, diff)
                if diff > tol * max(1.0, float(np.max(np.abs(e), initial=0))):
                    why = f"max error {diff:.3g} over tolerance {tol:g}"
        ok = not why
        passed += ok
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'}  {name:48s} max_err {worst:.3g}  {why}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Checks models written by pocketnn's writer with LiteRT.

1. Op-family models made by the model builder (writer_gen families): each
   must load and run in LiteRT and give the output computed here with
   numpy from the same constants, in both the inline and the offset/size
   (external data) form, and both forms must agree exactly.
2. Real models (the mediapipe .tflite files): decoded and re-written by
   pocketnn (inline and external form); LiteRT must give bit-identical
   outputs for the original and the rewritten files on seeded inputs.

Prints one line per check and ends with "N passed, N failed".
"""
import argparse
import glob
import os
import subprocess
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
from ai_edge_litert.interpreter import Interpreter  # noqa: E402


def cval(n):
    """Constant data of writer_gen.c: ((i * 37) % 17 - 8) / 8."""
    return np.array([((i * 37) % 17 - 8) / 8.0 for i in range(n)], np.float32)


def C(*shape):
    return cval(int(np.prod(shape))).reshape(shape)


def relu(x):
    return np.maximum(x, 0)


def relu6(x):
    return np.clip(x, 0, 6)


def conv2d(x, w, b, s, d, same):
    """NHWC input, OHWI filter."""
    n, h, wd, _ = x.shape
    co, kh, kw, _ = w.shape
    ekh, ekw = (kh - 1) * d + 1, (kw - 1) * d + 1
    if same:
        oh, ow = -(-h // s), -(-wd // s)
        ph = max((oh - 1) * s + ekh - h, 0) // 2
        pw = max((ow - 1) * s + ekw - wd, 0) // 2
    else:
        oh, ow, ph, pw = (h - ekh) // s + 1, (wd - ekw) // s + 1, 0, 0
    out = np.zeros((n, oh, ow, co), np.float64)
    for oy in range(oh):
        for ox in range(ow):
            for ky in range(kh):
                for kx in range(kw):
                    iy, ix = oy * s - ph + ky * d, ox * s - pw + kx * d
                    if 0 <= iy < h and 0 <= ix < wd:
                        out[:, oy, ox, :] += x[:, iy, ix, :] @ w[:, ky, kx, :].T
    return out + b


def dwconv_same(x, w, b, m):
    """Stride 1, SAME, 1HWO filter with depth multiplier m."""
    n, h, wd, ci = x.shape
    _, kh, kw, co = w.shape
    ph, pw = (kh - 1) // 2, (kw - 1) // 2
    out = np.zeros((n, h, wd, co), np.float64)
    xin = np.repeat(x, m, axis=3)  # channel oc reads input oc // m
    for oy in range(h):
        for ox in range(wd):
            for ky in range(kh):
                for kx in range(kw):
                    iy, ix = oy - ph + ky, ox - pw + kx
                    if 0 <= iy < h and 0 <= ix < wd:
                        out[:, oy, ox, :] += xin[:, iy, ix, :] * w[0, ky, kx, :]
    return out + b


def maxpool_same(x, k, s):
    n, h, wd, c = x.shape
    oh = -(-h // s)
    ph = max((oh - 1) * s + k - h, 0) // 2
    xp = np.full((n, h + 2 * k, wd + 2 * k, c), -np.inf, np.float32)
    xp[:, ph:ph + h, ph:ph + wd, :] = x
    out = np.zeros((n, oh, oh, c), np.float32)
    for oy in range(oh):
        for ox in range(oh):
            out[:, oy, ox, :] = xp[:, oy * s:oy * s + k, ox * s:ox * s + k, :].max(axis=(1, 2))
    return out


def softmax(x, beta):
    e = np.exp(beta * (x - x.max(axis=-1, keepdims=True)))
    return e / e.sum(axis=-1, keepdims=True)


def resize_bilinear_half_pixel(x, oh, ow):
    """TFLite's formula: source = (dst + 0.5) * scale - 0.5, bounds clamped."""
    n, h, w, c = x.shape
    out = np.zeros((n, oh, ow, c), np.float64)
    sy, sx = h / oh, w / ow
    for y in range(oh):
        iy = (y + 0.5) * sy - 0.5
        y0, y1 = max(int(np.floor(iy)), 0), min(int(np.ceil(iy)), h - 1)
        for xx in range(ow):
            ix = (xx + 0.5) * sx - 0.5
            x0, x1 = max(int(np.floor(ix)), 0), min(int(np.ceil(ix)), w - 1)
            dy, dx = iy - y0, ix - x0
            out[:, y, xx, :] = (x[:, y0, x0, :] * (1 - dy) * (1 - dx) +
                                x[:, y1, x0, :] * dy * (1 - dx) +
                                x[:, y0, x1, :] * (1 - dy) * dx +
                                x[:, y1, x1, :] * dy * dx)
    return out


def rnd(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-2, 2, shape).astype(np.float32)


def family_cases():
    """name -> list of (inputs, expected outputs, tolerance)."""
    cases = {}
    x = rnd(1, 2, 2, 3)
    cases["add_relu6"] = [([x], [relu6(x + C(3))], 1e-5)]
    x = rnd(1, 5, 5, 2)
    cases["conv_same_s2"] = [([x], [relu(conv2d(x, C(3, 3, 3, 2), C(3), 2, 1, True))], 1e-4)]
    cases["conv_valid_dil2"] = [([x], [conv2d(x, C(3, 3, 3, 2), C(3), 1, 2, False)], 1e-4)]
    x = rnd(1, 4, 4, 2)
    cases["dwconv_mult2"] = [([x], [relu6(dwconv_same(x, C(1, 3, 3, 4), C(4), 2))], 1e-4)]
    x = rnd(2, 3, 4)
    cases["fc_keep_dims"] = [([x], [relu(x @ C(5, 4).T + C(5))], 1e-4)]
    x = rnd(1, 5, 5, 3)
    cases["avgpool_valid"] = [([x], [x[:, :4, :4, :].reshape(1, 2, 2, 2, 2, 3).mean(axis=(2, 4))], 1e-5)]
    cases["maxpool_same"] = [([x], [maxpool_same(x, 3, 2)], 0)]
    x = rnd(2, 5)
    cases["softmax_beta"] = [([x], [softmax(x, 0.5)], 1e-5)]
    x = rnd(2, 6)
    cases["reshape_opts"] = [([x], [x.reshape(3, 4)], 0)]
    x = rnd(2, 3)
    cases["concat_neg_axis"] = [([x], [np.concatenate([x, C(2, 2)], -1)], 0)]
    x = rnd(4, 5, 6)
    cases["strided_slice_masks"] = [([x], [x[1:3, ::2, ::-1]], 0)]
    x = rnd(2, 3, 4)
    cases["mean_keep_dims"] = [([x], [x.mean(axis=1, keepdims=True)], 1e-5)]
    x = rnd(3, 4)
    cases["leaky_relu"] = [([x], [np.where(x > 0, x, 0.2 * x)], 1e-6)]
    cases["gather_axis1"] = [([x], [x[:, [3, 0]]], 0)]
    x = rnd(2, 3, 4)
    cases["batch_matmul_adj_y"] = [([x], [x @ C(2, 5, 4).transpose(0, 2, 1)], 1e-4)]
    x = rnd(4, 6)
    cases["split3"] = [([x], np.split(x, 3, axis=1), 0)]
    x = rnd(2, 3)
    q = np.array([[-128, -5, 0], [7, 100, 127]], np.float32)
    dq = (q - np.array([0, 1, -1])) * np.array([0.5, 0.25, 0.125])
    cases["dequant_int8_per_channel"] = [([x], [x + dq], 1e-5)]
    x = rnd(4)
    cases["dequant_fp16"] = [([x], [x + np.array([1, -2, 0.5, 65504], np.float32)], 1e-6)]
    x = rnd(4, 4)
    dense = np.zeros((4, 4), np.float32)
    for v, (r, c) in zip(cval(4), [(0, 1), (1, 0), (1, 3), (3, 2)]):
        dense[r, c] = v
    cases["densify_csr"] = [([x], [x + dense], 1e-6)]
    g = np.random.default_rng(7)
    a = g.integers(-128, 128, 8).astype(np.int8)
    b = g.integers(-128, 128, 8).astype(np.int8)
    real = 0.05 * (a.astype(np.float64) + 3) + 0.1 * (b.astype(np.float64) - 2)
    yq = np.clip(np.round(real / 0.125) - 1, -128, 127)
    cases["add_int8"] = [([a, b], [yq], 1)]  # within one quantization step
    x = rnd(1, 2, 3, 1)
    cases["resize_bilinear_half_pixel"] = [([x], [resize_bilinear_half_pixel(x, 4, 5)], 1e-5)]
    x = rnd(3)
    cases["if_branches"] = [([np.array(True), x], [np.abs(x)], 0),
                            ([np.array(False), x], [-x], 0)]
    return cases


def run(path, inputs):
    it = Interpreter(model_path=path, num_threads=1)
    it.allocate_tensors()
    for d, v in zip(it.get_input_details(), inputs):
        it.set_tensor(d["index"], np.asarray(v, dtype=d["dtype"]).reshape(d["shape"]))
    it.invoke()
    return [it.get_tensor(d["index"]).copy() for d in it.get_output_details()]


class Tally:
    def __init__(self):
        self.passed = self.failed = 0

    def report(self, ok, name, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}")
        sys.stdout.flush()


def close(got, want, tol):
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    if got.shape != want.shape:
        return False, f"shape {got.shape} vs {want.shape}"
    err = float(np.max(np.abs(got - want))) if got.size else 0.0
    return err <= tol * max(1.0, float(np.max(np.abs(want))) if want.size else 1.0), f"max err {err:.3g}"


def check_families(gen, work, tally):
    fam = os.path.join(work, "families")
    os.makedirs(fam, exist_ok=True)
    r = subprocess.run([gen, "families", fam], capture_output=True, text=True)
    if r.returncode != 0:
        tally.report(False, "writer_gen families", r.stderr.strip())
        return
    for name, runs in family_cases().items():
        for ext in ("", ".ext"):
            label = f"family {name}{ext}"
            path = os.path.join(fam, name + ext + ".tflite")
            try:
                ok, detail = True, []
                for inputs, want, tol in runs:
                    got = run(path, inputs)
                    if len(got) != len(want):
                        ok, detail = False, [f"{len(got)} outputs, want {len(want)}"]
                        break
                    for k, (g, w) in enumerate(zip(got, want)):
                        good, d = close(g, w, tol)
                        ok &= good
                        detail.append(f"out{k} {d}")
                tally.report(ok, label, "; ".join(detail))
            except Exception as e:  # a load failure is a failed check
                tally.report(False, label, f"{type(e).__name__}: {e}")
        # Inline and external forms agree exactly.
        try:
            a = run(os.path.join(fam, name + ".tflite"), runs[0][0])
            b = run(os.path.join(fam, name + ".ext.tflite"), runs[0][0])
            same = all(np.array_equal(x, y) for x, y in zip(a, b))
            tally.report(same, f"family {name} inline == external")
        except Exception as e:
            tally.report(False, f"family {name} inline == external", str(e))
    # Signature names survive.
    try:
        it = Interpreter(model_path=os.path.join(fam, "add_relu6.tflite"))
        runner = it.get_signature_runner("serving_default")
        x = rnd(1, 2, 2, 3)
        out = runner(input_x=x)["sum"]
        ok, d = close(out, relu6(x + C(3)), 1e-5)
        tally.report(ok, "signature serving_default(input_x) -> sum", d)
    except Exception as e:
        tally.report(False, "signature serving_default", str(e))


def seeded_inputs(path):
    it = Interpreter(model_path=path)
    g = np.random.default_rng(42)
    out = []
    for d in it.get_input_details():
        shape = [max(int(s), 1) for s in d["shape"]]
        if np.issubdtype(d["dtype"], np.floating):
            out.append(g.uniform(-1, 1, shape).astype(d["dtype"]))
        else:
            out.append(np.zeros(shape, d["dtype"]))
    return out


def check_rewrites(gen, work, models, tally):
    out_dir = os.path.join(work, "rewritten")
    os.makedirs(out_dir, exist_ok=True)
    for path in models:
        base = os.path.splitext(os.path.basename(path))[0]
        for flag, suffix in ((None, ""), ("--external", ".ext")):
            label = f"rewrite {base}{suffix}"
            dst = os.path.join(out_dir, base + suffix + ".tflite")
            cmd = [gen, "rewrite", path, dst] + ([flag] if flag else [])
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                tally.report(False, label, r.stderr.strip())
                continue
            try:
                inputs = seeded_inputs(path)
                want = run(path, inputs)
            except Exception as e:
                # The original does not run here (e.g. a mediapipe custom
                # op): the rewritten file must fail the same way.
                try:
                    run(dst, seeded_inputs(dst))
                    tally.report(False, label, f"original fails ({e}) but the rewrite runs")
                except Exception as e2:
                    same = str(e).replace(path, "") == str(e2).replace(dst, "")
                    tally.report(same, label, "same load error as the original (custom op)"
                                 if same else f"errors differ: {e} / {e2}")
                continue
            try:
                got = run(dst, inputs)
                same = len(got) == len(want) and all(
                    g.dtype == w.dtype and np.array_equal(g, w, equal_nan=True)
                    for g, w in zip(got, want))
                tally.report(same, label, f"{len(want)} outputs bit-identical" if same
                             else "outputs differ from the original")
            except Exception as e:
                tally.report(False, label, f"{type(e).__name__}: {e}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gen", required=True, help="writer_gen binary")
    ap.add_argument("--work", required=True, help="scratch directory")
    ap.add_argument("--models", default="", help="directory searched for *.tflite")
    args = ap.parse_args()
    tally = Tally()
    check_families(args.gen, args.work, tally)
    models = sorted(glob.glob(os.path.join(args.models, "**", "*.tflite"), recursive=True)) if args.models else []
    if args.models and not models:
        print(f"note: no models under {args.models}; rewrite checks skipped")
    check_rewrites(args.gen, args.work, models, tally)
    print(f"{tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())

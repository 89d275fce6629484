#!/usr/bin/env python3
"""The `make conformance` driver: pocketnn against LiteRT on four model
sources, one table, one report.

    op         single-op models (gen_ops.py / check_ops.py, .cache/ops)
    mediapipe  every .tflite of the pinned mediapipe wheel (mediapipe_check.py)
    keras      Keras applications, four variants each (gen_keras.py, .cache/keras)
    sequence   LSTM / GRU classifiers, a transformer block (gen_sequence.py)

Generation is incremental (each generator makes only what is missing), so a
second run only checks. Comparison rules:

    float outputs    max|ours - ref| <= 1e-4 * max(1, max|ref|)
    integer outputs  exact, or off by 1 quantization step on <= 0.1% of the
                     elements (counts reported in the note)

A model pocketnn refuses because an operator has no kernel is UNSUPPORTED
(the op is named); any other refusal, a crash, a wrong output or a missing
reference is FAIL. Nothing is skipped.

Prints a table (source, model, variant, ops, status, max error, note) and
"N passed, N failed, N unsupported"; --doc writes the markdown report,
--json the rows, --baseline compares with committed expected statuses and
fails on a regression (a model that passed and now does not).
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import (CACHE, ROOT, compare, default_pocketnn, fmt_err,  # noqa: E402
                    print_table, run_pocketnn, write_json)

import numpy as np  # noqa: E402

TOL = 1e-4
INT_STEP_FRACTION = 1e-3     # at most 0.1% of elements may be off by one step
SOURCES = ["op", "mediapipe", "keras", "sequence"]
UNSUPPORTED_RE = re.compile(r"unsupported operator (\S+)")
HEADERS = ["source", "model", "variant", "ops", "status", "max_err", "note"]


# ------------------------------------------------------------- comparison

def compare_integer(ours, ref):
    """(ok, max_abs_diff, n_diff, n_elems) with the integer rule."""
    if ours.dtype != ref.dtype or ours.shape != ref.shape:
        return False, float("inf"), ref.size, ref.size
    d = np.abs(ours.astype(np.int64) - ref.astype(np.int64))
    n_diff = int(np.count_nonzero(d))
    mx = int(d.max()) if d.size else 0
    ok = mx <= 1 and n_diff <= INT_STEP_FRACTION * ref.size
    return ok, float(mx), n_diff, int(ref.size)


def status_of_failure(message):
    m = UNSUPPORTED_RE.search(message)
    return ("UNSUPPORTED", m.group(1)) if m else ("FAIL", None)


# ----------------------------------------------- keras / sequence models

STRICT = os.environ.get("PNN_CONF_STRICT") == "1"


def float_tolerance(meta, variant, ref):
    """1e-4 relative, or, for a float model (float32 / float16) on the
    default (SIMD) kernels, as far as LiteRT's own kernel sets are from each
    other on this model (litert_spread: XNNPACK vs reference kernels): FMA
    kernels cannot reproduce the reference kernels' rounding and deep models
    amplify it. Dynamic-range models are held to 1e-4 on every ISA: in a
    graph with hybrid ops pocketnn's float convs sum in the reference order
    without FMA (pnn_interpreter_options.float_accumulation), so the hybrid
    ops' on-the-fly input quantization sees LiteRT's values.
    PNN_CONF_STRICT=1 (used with PNN_ISA=scalar, where pocketnn matches
    LiteRT's reference kernels exactly) keeps the plain rule for all."""
    spread = meta.get("litert_spread")
    if STRICT or variant not in ("float32", "float16") or not spread:
        return TOL
    fin = ref[np.isfinite(ref)]
    scale = max(1.0, float(np.max(np.abs(fin)))) if fin.size else 1.0
    return max(TOL, spread / scale)


def check_generated(pocketnn, model_dir, variant, timeout):
    """Checks one generated variant (gen_keras.py layout) on all its inputs.
    Returns (row-without-source, our outputs per input or None)."""
    name = os.path.basename(model_dir)
    with open(os.path.join(model_dir, variant + ".json")) as f:
        meta = json.load(f)
    nops = str(len(meta.get("ops", []))) if "ops" in meta else "-"
    if "error" in meta:
        return [name, variant, nops, "FAIL", "-", "generator: " + meta["error"]], None
    model = os.path.join(model_dir, variant + ".tflite")
    nin, nout = len(meta["inputs"]), len(meta["outputs"])
    integer_io = any(np.dtype(d["dtype"]).kind in "iu" and d["scale"] > 0
                     for d in meta["inputs"] + meta["outputs"])
    extra = ["--raw"] if integer_io else []
    worst, notes, ok, all_outs = 0.0, [], True, []
    diff_count, diff_total, widened = 0, 0, False
    for i in range(meta["n_inputs"]):
        inputs = [os.path.join(model_dir, f"{variant}.input_{i}_{k}.npy") for k in range(nin)]
        res = run_pocketnn(pocketnn, model, inputs, timeout=timeout, extra_args=extra)
        if not res.ok:
            st, op = status_of_failure(res.message)
            return [name, variant, nops, st, "-",
                    (f"missing op {op}: " if op else "pocketnn: ") + res.message], None
        if len(res.outputs) != nout:
            return [name, variant, nops, "FAIL", "-",
                    f"{len(res.outputs)} outputs written, model has {nout}"], None
        all_outs.append(res.outputs)
        for k in range(nout):
            ref = np.load(os.path.join(model_dir, f"{variant}.ref_{i}_{k}.npy"))
            ours = res.outputs[k]
            if ref.dtype.kind in "iu" and meta["outputs"][k]["scale"] > 0:
                good, err, nd, ne = compare_integer(ours, ref)
                diff_count += nd
                diff_total += ne
                worst = max(worst, err)
                if not good:
                    ok = False
                    notes.append(f"input {i} output {k}: {nd}/{ne} elements differ, "
                                 f"max {err:g} steps")
            else:
                tol = float_tolerance(meta, variant, ref)
                c = compare(ours, ref, tol)
                worst = max(worst, c.max_err) if c.max_err == c.max_err else float("nan")
                if not c.ok:
                    ok = False
                    notes.append(f"input {i} output {k}: {c.why}")
                elif tol > TOL and compare(ours, ref, TOL).ok is False:
                    widened = True
    if diff_total and ok:
        notes.append(f"{diff_count}/{diff_total} elements off by 1 step" if diff_count
                     else f"bit-exact ({diff_total} elements)")
    elif ok and meta["outputs"] and any(
            np.dtype(d["dtype"]).kind in "iu" and d["scale"] > 0 for d in meta["outputs"]):
        notes.append("bit-exact")
    if widened and ok:
        notes.append(f"beyond 1e-4 relative but within LiteRT's own kernel sets' spread "
                     f"{meta['litert_spread']:.3g} (SIMD rounding; the strict "
                     f"rule holds on PNN_ISA=scalar)")
    if "litert_spread" in meta and not ok:
        other = ("plain builtin kernels vs BUILTIN_REF" if variant == "dynamic"
                 else "default (XNNPACK) kernels vs BUILTIN_REF")
        xnn = meta.get("litert_spread_xnnpack")
        notes.insert(0, f"LiteRT's own {other} differ by up to "
                        f"{meta['litert_spread']:.3g} here" +
                     (f" (its default XNNPACK kernels by {xnn:.3g})" if xnn else ""))
    ref_note = meta.get("reference", "")
    if "aborted" in ref_note:
        notes.append("ref: LiteRT builtin kernels (BUILTIN_REF aborts)")
    return [name, variant, nops, "PASS" if ok else "FAIL", fmt_err(worst),
            "; ".join(notes[:3]) + (f" (+{len(notes) - 3} more)" if len(notes) > 3 else "")
            ], all_outs


def generated_rows(source, root, pocketnn, variants, jobs, timeout):
    """Rows for every <root>/<model>/<variant>.json, and the outputs of our
    runs keyed by (model, variant) for the float-vs-int8 statistics."""
    work = []
    for model_dir in sorted(glob.glob(os.path.join(root, "*"))):
        for v in variants:
            if os.path.exists(os.path.join(model_dir, v + ".json")):
                work.append((model_dir, v))
    outs = {}

    def one(w):
        try:
            row, o = check_generated(pocketnn, w[0], w[1], timeout)
        except Exception as e:  # a broken cache entry is a failing row
            row, o = [os.path.basename(w[0]), w[1], "-", "FAIL", "-",
                      f"checker: {type(e).__name__}: {e}"[:300]], None
        outs[(os.path.basename(w[0]), w[1])] = o
        return [source] + row
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        rows = list(pool.map(one, work))
    return rows, outs


def dequantize(a, d):
    if np.dtype(d["dtype"]).kind in "iu" and d["scale"] > 0:
        return (a.astype(np.float64) - d["zero_point"]) * d["scale"]
    return a.astype(np.float64)


QUANT_VARIANTS = ("int8", "uint8", "16x8")


def float_vs_int8(root, outs, variants=QUANT_VARIANTS):
    """Per Keras app and full-integer variant (int8, uint8, 16x8): top-1
    agreement and cosine similarity between the float32 and the integer
    variant on the same images (pocketnn outputs when both ran, else
    LiteRT's, as stated in the `from` column)."""
    table = []
    for model_dir, qv in [(d, v) for d in sorted(glob.glob(os.path.join(root, "*")))
                          for v in variants]:
        app = os.path.basename(model_dir)
        try:
            with open(os.path.join(model_dir, "float32.json")) as f:
                mf = json.load(f)
            with open(os.path.join(model_dir, qv + ".json")) as f:
                mq = json.load(f)
        except (OSError, ValueError):
            continue
        if "error" in mf or "error" in mq:
            continue
        of, oq = outs.get((app, "float32")), outs.get((app, qv))
        src = "pocketnn"
        if of is None or oq is None:
            src = "LiteRT"
            of = [[np.load(os.path.join(model_dir, f"float32.ref_{i}_0.npy"))]
                  for i in range(mf["n_inputs"])]
            oq = [[np.load(os.path.join(model_dir, f"{qv}.ref_{i}_0.npy"))]
                  for i in range(mq["n_inputs"])]
        agree, cos = 0, []
        for a, b in zip(of, oq):
            x = a[0].astype(np.float64).ravel()
            y = dequantize(b[0], mq["outputs"][0]).ravel()
            agree += int(np.argmax(x) == np.argmax(y))
            nx, ny = np.linalg.norm(x), np.linalg.norm(y)
            cos.append(float(x @ y / (nx * ny)) if nx > 0 and ny > 0 else 0.0)
        table.append([app, qv, f"{agree}/{len(of)}", f"{min(cos):.4f}",
                      f"{float(np.mean(cos)):.4f}", src])
    return table


# ------------------------------------------------------- op and mediapipe

def op_rows(py, pocketnn, jobs, generate, log):
    if generate:
        subprocess.run([py, os.path.join(HERE, "gen_ops.py")], stdout=log, stderr=log)
    with tempfile.TemporaryDirectory(prefix="pnn-conf-") as tmp:
        out = os.path.join(tmp, "ops.json")
        subprocess.run([py, os.path.join(HERE, "check_ops.py"), "--pocketnn", pocketnn,
                        "-j", str(jobs), "--json", out], stdout=log, stderr=log)
        try:
            with open(out) as f:
                found = json.load(f)
        except (OSError, ValueError) as e:
            return [["op", "(all)", "-", "-", "FAIL", "-",
                     f"check_ops.py wrote no results ({e}); see the log"]]
    ops_meta = {}
    try:
        with open(os.path.join(CACHE, "ops", "index.json")) as f:
            for e in json.load(f)["cases"]:
                ops_meta[(e["family"], e["case"])] = e
    except (OSError, ValueError, KeyError):
        pass
    rows = []
    for r in found:
        fam = r["family"]
        variant = "quant" if fam.startswith(("int8", "uint8", "int16", "quant")) else "float"
        status, note = r["status"], r["note"]
        if status != "PASS":
            st, op = status_of_failure(note)
            if op:
                status, note = st, f"missing op {op}: " + note
        rows.append(["op", f"{fam}/{r['case']}", variant, r["op"], status, r["max_err"], note])
    return rows


def mediapipe_rows(pocketnn, regenerate=False):
    import mediapipe_check
    paths = sorted(glob.glob(os.path.join(CACHE, "mediapipe", "**", "*.tflite"),
                             recursive=True), key=os.path.basename)
    if not paths:
        return [["mediapipe", "(all)", "-", "-", "FAIL", "-",
                 "no models under .cache/mediapipe; run scripts/fetch_mediapipe.sh"]]
    rows = []
    for p in paths:
        try:
            r = mediapipe_check.check_model(p, pocketnn, os.path.join(CACHE, "mediapipe_ref"),
                                            regenerate)
        except Exception as e:
            r = [os.path.splitext(os.path.basename(p))[0], "-", "-", "FAIL", "-",
                 f"checker: {type(e).__name__}: {e}"[:300]]
        status, note = r[3], r[5]
        if status != "PASS":
            st, op = status_of_failure(note)
            if op:
                status, note = st, f"missing op {op}: " + note
        if r[4] and r[4] != "LiteRT (reference kernels)":
            note = (note + "; " if note else "") + "ref: " + r[4]
        rows.append(["mediapipe", r[0], "float32", r[1], status, r[2], note])
    return rows


# ----------------------------------------------------------------- report

def totals(rows):
    t = {"PASS": 0, "FAIL": 0, "UNSUPPORTED": 0}
    for r in rows:
        t[r[4]] = t.get(r[4], 0) + 1
    return t


METHOD = """## Method

pocketnn (`pocketnn run ... --save-outputs`, `--raw` for integer I/O) and
LiteRT (ai-edge-litert, pinned in `scripts/requirements.txt`) run each model
on the same seeded inputs; every output is compared.

- **Float outputs**: max|ours - ref| <= 1e-4 * max(1, max|ref|).
- **Integer outputs**: exact, or off by one quantization step on at most 0.1%
  of the elements; the note gives the count (`bit-exact (N elements)` or
  `k/N elements off by 1 step`).
- **UNSUPPORTED**: pocketnn's prepare refused an operator it has no kernel
  for; the op is named. Any other refusal, a wrong output or a missing
  reference is FAIL. Nothing is skipped.

Sources (all cached under `.cache/`, regenerated deterministically by script
and only when missing):

- **op**: single-op models (`tools/conformance/ops/*.py`, `gen_ops.py`,
  `check_ops.py`), variant `float` or `quant` (integer families).
- **mediapipe**: every `.tflite` of the pinned mediapipe wheel
  (`mediapipe_check.py`; LiteRT reference kernels, or a documented rewrite
  for MediaPipe custom ops).
- **keras**: `gen_keras.py`. The ten Keras applications with random weights
  (`weights=None`, fixed seed per app), input 1x128x128x3 (smaller than 224
  for speed; every app accepts it), ending at the 1000 logits
  (`classifier_activation=None`: with random weights a softmax is ~1/1000
  everywhere and would hide errors). BatchNormalization moving statistics
  are set from a seeded 8-image batch so activations keep unit scale
  through the depth. Four images per model, uniform in [-1, 1]
  (MobileNetV3/EfficientNet, which include their preprocessing: [0, 255]).
  Variants: `float32`; `float16` (float16 weights + DEQUANTIZE);
  `dynamic` (dynamic-range int8 weights, hybrid kernels); `int8` (full
  integer, **int8 input and output**, calibrated on 8 seeded random
  images; the float images are quantized with the input scale/zero point);
  `uint8` (the same full-integer conversion with
  `inference_input_type/inference_output_type = tf.uint8`: what TF 2.20
  makes of uint8, an int8 graph with a QUANTIZE uint8->int8 after the input
  and int8->uint8 before the output; TF 2.x no longer produces all-uint8
  graphs, those are covered by the single-op `uint8` cases); `16x8` (int16
  activations, int8 weights, int64 bias, int16 input and output,
  `EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8` with
  `TFLITE_BUILTINS` as the documented float fallback for ops the converter
  has no 16x8 form of, e.g. HARD_SWISH in MobileNetV3; same 8 calibration
  images as int8).
  References: every variant with LiteRT's reference kernels
  (`OpResolverType.BUILTIN_REF`), as for the single-op and mediapipe
  models; LiteRT's default (XNNPACK) path has rounding of its own, which
  the report gives next to any failure. Should
  BUILTIN_REF abort the process (it did on an int8 model ending in a
  SOFTMAX whose input scale was ~1e-8), LiteRT's plain builtin kernels
  without delegates become the reference, and the note says so.
- **dynamic-range on SIMD**: hybrid ops quantize their float input per
  batch row and accumulate in int32, bit-exact on every ISA
  (`tools/conformance/isolate_ops.py` runs each op alone on LiteRT's values
  of its inputs). The float ops the converter leaves float in these models
  (convs whose weights are too small to quantize, e.g. the 3x3x3x32 stem)
  matter too: one ulp that moves a value across a rounding boundary of the
  next hybrid op's input quantization changes whole quantization steps
  downstream. So in a subgraph with hybrid ops pocketnn runs float
  CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED / BATCH_MATMUL in LiteRT's
  reference order (products and sums rounded separately, no FMA, bias
  last; `src/kernels/f32_refacc*`, SIMD over output channels) and
  LOGISTIC / TANH / ELU / GELU / EXP with libm, as LiteRT's reference
  kernels do (`float_accumulation` option, AUTO by default; `--float-acc`
  in the CLI). Dynamic-range variants are therefore held to the plain
  1e-4 rule on the default ISA, not to a spread.
- **integer types per op**: `tools/conformance/probe_types.py` builds
  one-op int8 / uint8 / int16 models of the elementwise ops with the
  flatbuffer schema (the converter makes only what its quantizer knows) and
  lists which LiteRT's reference kernels accept and whether pocketnn's
  outputs are identical there (LiteRT 2.3.0: DIV int8/uint8/int16, no
  SQUARED_DIFFERENCE int16; FLOOR_DIV, FLOOR_MOD and NEG int8/int16 on
  stored values; all bit-exact).
- **sequence**: `gen_sequence.py`. LSTM and GRU text classifiers
  (Embedding(1000,32) -> LSTM/GRU(32) -> Dense(2), 16 tokens, static batch 1;
  Keras 3 + TF 2.20 converts both to a WHILE loop, not to
  UNIDIRECTIONAL_SEQUENCE_LSTM) and a transformer block (token + position
  embedding, 4-head MultiHeadAttention -> BATCH_MATMUL/SOFTMAX, the
  LayerNormalization pattern MEAN/SQUARED_DIFFERENCE/RSQRT, GELU feed-forward).
  Fused recurrent ops, float32 and dynamic range: Keras 2 (`tf_keras`) LSTMs
  (return_sequences or last step, time-major, stacked, Bidirectional, a
  text classifier), which the converter fuses into
  UNIDIRECTIONAL_SEQUENCE_LSTM, and single-op models written with the
  flatbuffer object API for what the converter never emits (peephole,
  projection, CIFG, layer-norm LSTMs, LSTM, UNIDIRECTIONAL_SEQUENCE_RNN,
  BIDIRECTIONAL_SEQUENCE_LSTM, BIDIRECTIONAL_SEQUENCE_RNN). Recurrent state tensors are variables; the
  reference resets them before each input set, as a fresh pocketnn run.

Time: generation is cached; a fresh clone generates everything once. Measured
on the 2-core machine (shared, busy): Keras float32/float16/dynamic/int8
(40 models) ~18 min (NASNetMobile 4.3 min, InceptionV3 2.7 min, others 1-2
min each); the uint8 and 16x8 variants (8 calibration images, as int8) cost
an int8 conversion each: int8 conversion + LiteRT took 4.9 min for the ten
apps on a quiet machine, uint8 23.8 min and 16x8 20.5 min at a load average
of ~16 (several agents), i.e. ~5 min each at the int8 rate; single-op models ~2 min,
sequence models ~15 s (plus ~7 min, once, for the
12 fused-LSTM conversions with tf_keras, measured at load ~12), mediapipe references ~15 s, then checking everything
~1.5 min: about 22 min in
all, under the 40-minute budget.

`tests/scripts/test_conformance_regress.sh` (part of `make test` and CI) runs
the op, mediapipe, float32 and dynamic-range Keras and sequence models and fails when a model
that `tools/conformance/baseline.json` marks PASS does not pass.
"""


def md_escape(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def write_doc(path, rows, agreement, missing, args, elapsed):
    t = totals(rows)
    by_src = {}
    for r in rows:
        d = by_src.setdefault((r[0], r[2]), {"PASS": 0, "FAIL": 0, "UNSUPPORTED": 0})
        d[r[4]] += 1
    L = []
    L.append("# Conformance against LiteRT\n")
    L.append("Generated by `make conformance` (`tools/conformance/conformance.py`); "
             "do not edit by hand.\n")
    L.append(METHOD)
    L.append(f"Sources: {', '.join(args.sources)}; Keras variants: "
             f"{', '.join(args.keras_variants)}. This run took {elapsed / 60:.1f} min "
             f"(with whatever was already cached).\n")
    L.append(f"**Totals: {t['PASS']} passed, {t['FAIL']} failed, "
             f"{t['UNSUPPORTED']} unsupported** (of {len(rows)}).\n")
    L.append("| source | variant | passed | failed | unsupported |")
    L.append("|---|---|---|---|---|")
    for (s, v), d in sorted(by_src.items()):
        L.append(f"| {s} | {v} | {d['PASS']} | {d['FAIL']} | {d['UNSUPPORTED']} |")
    L.append("")
    if not missing:
        L.append("## Missing operators\n")
        L.append("None: no model was refused for an operator without a kernel.\n")
    if missing:
        L.append("## Missing operators\n")
        L.append("| op | models refused |")
        L.append("|---|---|")
        for op, models in sorted(missing.items()):
            L.append(f"| {op} | {md_escape(', '.join(sorted(models)))} |")
        L.append("")
    if agreement:
        L.append("## Keras applications: float32 vs full integer\n")
        L.append("Same seeded images through the float32 and the int8, uint8 "
                 "and 16x8 models (logits; integer outputs dequantized). Random "
                 "weights and random images give nearly tied logits, so top-1 "
                 "over 4 images is coarse; the cosine is the better measure of "
                 "quantization fidelity.\n")
        L.append("| app | variant | top-1 agreement | min cosine | mean cosine | "
                 "outputs from |")
        L.append("|---|---|---|---|---|---|")
        for a in agreement:
            L.append("| " + " | ".join(md_escape(c) for c in a) + " |")
        L.append("")
    L.append("## All models\n")
    L.append("| " + " | ".join(HEADERS) + " |")
    L.append("|" + "---|" * len(HEADERS))
    order = {s: i for i, s in enumerate(SOURCES)}
    for r in sorted(rows, key=lambda r: (order.get(r[0], 9), r[1], r[2])):
        L.append("| " + " | ".join(md_escape(c) for c in r) + " |")
    with open(path + ".tmp", "w") as f:
        f.write("\n".join(L) + "\n")
    os.replace(path + ".tmp", path)


def key_of(r):
    return f"{r[0]}/{r[1]}/{r[2]}"


def check_baseline(rows, path, keras_apps=None):
    """Regressions: keys the baseline marks PASS that are now not PASS.
    Baseline keys absent from the run (renamed cases) are noted, not
    counted."""
    with open(path) as f:
        base = json.load(f)["status"]
    now = {key_of(r): r for r in rows}
    checked = {(r[0], r[2]) for r in rows}
    regress, compared = [], 0
    for k, st in sorted(base.items()):
        src, rest = k.split("/", 1)
        variant = k.rsplit("/", 1)[1]
        if (src, variant) not in checked:
            continue
        if src == "keras" and keras_apps and rest.split("/", 1)[0] not in keras_apps:
            continue
        if k not in now:  # a renamed/removed case is not a failing model
            print(f"note: baseline entry {k} was not checked in this run")
            continue
        compared += 1
        if st == "PASS" and now[k][4] != "PASS":
            regress.append((k, now[k][4] + ": " + now[k][6]))
    return compared, regress


def selftest():
    """Checks the rules themselves (integer tolerance, unsupported-op
    parsing, regression detection) on made-up data. Returns failures."""
    bad = []

    def expect(name, got, want):
        if got != want:
            bad.append(f"{name}: got {got!r}, want {want!r}")
    r = np.zeros(2000, np.int8)
    expect("exact", compare_integer(r.copy(), r)[0], True)
    one = r.copy()
    one[:2] = 1                       # 2 of 2000 = 0.1%: allowed
    expect("1 step on 0.1%", compare_integer(one, r)[:3], (True, 1.0, 2))
    one[2] = 1                        # 3 of 2000 > 0.1%
    expect("1 step on 0.15%", compare_integer(one, r)[0], False)
    two = r.copy()
    two[0] = -2                       # one element, 2 steps
    expect("2 steps", compare_integer(two, r)[:2], (False, 2.0))
    expect("shape", compare_integer(r[:10], r)[0], False)
    expect("dtype", compare_integer(r.astype(np.int16), r)[0], False)
    expect("unsupported", status_of_failure(
        "error: m.tflite: prepare failed: op 3: unsupported operator FOO (version 2)"),
        ("UNSUPPORTED", "FOO"))
    expect("other failure", status_of_failure("error: type int16 not supported"),
           ("FAIL", None))
    rows = [["keras", "A", "float32", "1", "PASS", "0", ""],
            ["keras", "B", "float32", "1", "FAIL", "1", "x"],
            ["keras", "C", "float32", "1", "PASS", "0", ""]]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "b.json")
        write_json(path, {"status": {"keras/A/float32": "PASS", "keras/B/float32": "PASS",
                                     "keras/C/float32": "FAIL", "keras/D/float32": "PASS",
                                     "keras/A/int8": "PASS"}})
        compared, regress = check_baseline(rows, path)
        expect("baseline compared", compared, 3)
        expect("baseline regressions", [k for k, _ in regress], ["keras/B/float32"])
    return bad


def main():
    if sys.argv[1:] == ["--selftest"]:
        bad = selftest()
        for b in bad:
            print("FAIL " + b)
        print(f"{0 if bad else 1} passed, {1 if bad else 0} failed")
        return 1 if bad else 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pocketnn", default=default_pocketnn())
    ap.add_argument("--sources", default=",".join(SOURCES),
                    help="comma-separated subset of " + ",".join(SOURCES))
    ap.add_argument("--keras-variants",
                    default="float32,float16,dynamic,int8,uint8,16x8")
    ap.add_argument("--keras-apps", help="comma-separated subset of Keras apps")
    ap.add_argument("--no-generate", action="store_true",
                    help="check what is cached, generate nothing")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per pocketnn run")
    ap.add_argument("--doc", help="write the markdown report here")
    ap.add_argument("--json", help="write the rows here")
    ap.add_argument("--log", default=os.path.join(CACHE, "conformance.log"),
                    help="generator/checker output (default .cache/conformance.log)")
    ap.add_argument("--baseline", help="fail on a regression against this file")
    ap.add_argument("--write-baseline", help="write the statuses of this run here")
    ap.add_argument("--failures-only", action="store_true", help="print only non-PASS rows")
    args = ap.parse_args()
    args.sources = args.sources.split(",")
    args.keras_variants = args.keras_variants.split(",")
    bad = [s for s in args.sources if s not in SOURCES]
    if bad:
        print(f"error: unknown source {bad[0]}", file=sys.stderr)
        return 2
    if not os.access(args.pocketnn, os.X_OK):
        print(f"error: {args.pocketnn} not built (run make)", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    t0 = time.time()
    py = sys.executable
    os.makedirs(os.path.dirname(args.log), exist_ok=True)
    rows, outs = [], {}
    with open(args.log, "a") as log:
        log.write(f"\n==== conformance {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        log.flush()

        def gen(script, extra):
            if args.no_generate:
                return
            t = time.time()
            print(f"conformance: {script} ...", file=sys.stderr, flush=True)
            r = subprocess.run([py, os.path.join(HERE, script)] + extra,
                               stdout=log, stderr=log)
            print(f"conformance: {script} {'ok' if r.returncode == 0 else 'had errors'} "
                  f"({time.time() - t:.0f}s)", file=sys.stderr, flush=True)

        if "op" in args.sources:
            print("conformance: single-op models ...", file=sys.stderr, flush=True)
            rows += op_rows(py, args.pocketnn, args.jobs, not args.no_generate, log)
        if "mediapipe" in args.sources:
            print("conformance: mediapipe models ...", file=sys.stderr, flush=True)
            rows += mediapipe_rows(args.pocketnn)
        if "keras" in args.sources:
            extra = ["--variants", ",".join(args.keras_variants)]
            if args.keras_apps:
                extra += ["--apps", args.keras_apps]
            gen("gen_keras.py", extra)
            r, o = generated_rows("keras", os.path.join(CACHE, "keras"), args.pocketnn,
                                  args.keras_variants, args.jobs, args.timeout)
            if args.keras_apps:
                keep = set(args.keras_apps.split(","))
                r = [x for x in r if x[1] in keep]
            rows += r
            outs.update(o)
        if "sequence" in args.sources:
            gen("gen_sequence.py", [])
            # dynamic: the fused recurrent models' dynamic-range variants.
            r, o = generated_rows("sequence", os.path.join(CACHE, "sequence"),
                                  args.pocketnn, ["float32", "dynamic"], args.jobs,
                                  args.timeout)
            rows += r
    elapsed = time.time() - t0

    shown = [r for r in rows if r[4] != "PASS"] if args.failures_only else rows
    print_table(HEADERS, shown)
    missing = {}
    for r in rows:
        m = re.match(r"missing op (\S+):", r[6])
        if r[4] == "UNSUPPORTED" and m:
            missing.setdefault(m.group(1), set()).add(f"{r[0]}/{r[1]}/{r[2]}")
    if missing:
        print("\nmissing ops: " + ", ".join(f"{op} ({len(v)})" for op, v in
                                            sorted(missing.items())))
    qvs = [v for v in QUANT_VARIANTS if v in args.keras_variants]
    agreement = float_vs_int8(os.path.join(CACHE, "keras"), outs, qvs) \
        if "keras" in args.sources and qvs and "float32" in args.keras_variants else []
    if agreement:
        print("\nKeras float32 vs full integer (same images):")
        print_table(["app", "variant", "top1_agree", "min_cos", "mean_cos", "from"],
                    agreement)
    if args.doc:
        write_doc(args.doc, rows, agreement, missing, args, elapsed)
    if args.json:
        write_json(args.json, [dict(zip(HEADERS, r)) for r in rows])
    if args.write_baseline:
        write_json(args.write_baseline,
                   {"comment": "expected statuses; tools/conformance/conformance.py "
                               "--write-baseline (source/model/variant -> status)",
                    "status": {key_of(r): r[4] for r in rows}})
    t = totals(rows)
    print(f"\nconformance: {t['PASS']} passed, {t['FAIL']} failed, "
          f"{t['UNSUPPORTED']} unsupported in {elapsed / 60:.1f} min")
    if args.baseline:
        compared, regress = check_baseline(
            rows, args.baseline, set(args.keras_apps.split(",")) if args.keras_apps else None)
        for k, why in regress:
            print(f"REGRESSION {k}: {why}")
        print(f"baseline: {compared} compared, {len(regress)} regressions")
        print(f"{compared - len(regress)} passed, {len(regress)} failed")
        return 1 if regress or compared == 0 else 0
    print(f"{t['PASS']} passed, {t['FAIL'] + t['UNSUPPORTED']} failed")
    return 0 if t["FAIL"] + t["UNSUPPORTED"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

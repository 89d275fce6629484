#!/usr/bin/env python3
"""Checks pocketnn against LiteRT on the generated single-op models.

For each case listed in .cache/ops/index.json (written by gen_ops.py) runs

    pocketnn run model.tflite --input K=input_K.npy ... --save-outputs DIR

and compares every DIR/output_K.npy with ref_K.npy: floats pass when
max|ours-ref| <= tol*max(1, max|ref|) (tol from the case), integers and
bools must be equal, dtype and shape must be the model's. A refusal by
pocketnn (unsupported op, bad model) is a failure that names the op, never
a skip. Prints a table (family, case, op, status, max error, note) and ends
with "N passed, N failed". Exit status 0 only if nothing failed.

Needs only numpy; run it with the project venv (.venv/bin/python).
"""
import argparse
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (CACHE, compare, default_pocketnn, fmt_err,  # noqa: E402
                    print_table, run_pocketnn)

import numpy as np  # noqa: E402


def load_meta(case_dir):
    with open(os.path.join(case_dir, "meta.json")) as f:
        return json.load(f)


def op_label(meta):
    """The op the case is about, else the converted model's distinct ops."""
    if meta.get("op"):
        return meta["op"]
    ops = list(dict.fromkeys(meta.get("ops", [])))
    return ",".join(ops) if ops else "?"


def compare_quantized(ours, ref):
    """Integer outputs of a quantized case (meta "quant"): exact, or off by
    one quantization step on at most 0.1% of the elements. Returns
    (ok, max_err, note); the note counts off-by-one elements even on a
    pass, so near-misses stay visible."""
    if ours.dtype != ref.dtype or ours.shape != ref.shape:
        return None
    d = np.abs(ours.astype(np.int64) - ref.astype(np.int64))
    n = int(np.count_nonzero(d))
    if n == 0:
        return True, 0.0, ""
    worst = float(d.max())
    ok = worst <= 1 and n <= 0.001 * ref.size
    return ok, worst, f"{n} of {ref.size} elements off by <= {int(worst)}"


def check_case(pocketnn, root, entry, timeout):
    """Returns a row: family, case, op, status, max error, note. A broken
    cache entry is a failing row, not a crash of the whole check."""
    try:
        return check_case_unguarded(pocketnn, root, entry, timeout)
    except Exception as e:
        return [entry.get("family", "?"), entry.get("case", "?"), "-", "FAIL", "-",
                f"checker: {type(e).__name__}: {e}"[:300]]


def check_case_unguarded(pocketnn, root, entry, timeout):
    fam, name = entry["family"], entry["case"]
    if entry.get("error"):
        return [fam, name, "-", "FAIL", "-", "generator: " + entry["error"]]
    case_dir = os.path.join(root, entry["dir"])
    try:
        meta = load_meta(case_dir)
    except (OSError, ValueError) as e:
        return [fam, name, "-", "FAIL", "-", f"no meta.json ({e}); rerun gen_ops.py"]
    op = op_label(meta)
    if "error" in meta:
        return [fam, name, op, "FAIL", "-", "LiteRT/converter: " + meta["error"]]
    inputs = [os.path.join(case_dir, f"input_{k}.npy") for k in range(meta["inputs"])]
    res = run_pocketnn(pocketnn, os.path.join(case_dir, "model.tflite"), inputs,
                       timeout=timeout)
    if not res.ok:
        # Name the op(s) of the model, so a refusal says what is missing.
        ops = ",".join(dict.fromkeys(meta.get("ops", []))) or op
        return [fam, name, op, "FAIL", "-", f"pocketnn failed [{ops}]: {res.message}"]
    nref = meta["outputs"]
    if len(res.outputs) != nref:
        return [fam, name, op, "FAIL", "-",
                f"{len(res.outputs)} outputs written, model has {nref}"]
    worst, notes, ok = 0.0, [], True
    for k in range(nref):
        ref = np.load(os.path.join(case_dir, f"ref_{k}.npy"), allow_pickle=False)
        if meta.get("quant") and ref.dtype.kind in "iu":
            q = compare_quantized(res.outputs[k], ref)
            if q is not None:
                q_ok, q_err, q_note = q
                worst = max(worst, q_err)
                if not q_ok:
                    ok = False
                if q_note:
                    notes.append(f"output {k}: {q_note}")
                continue
        c = compare(res.outputs[k], ref, float(meta["tol"]))
        if c.max_err == c.max_err:  # not NaN
            worst = max(worst, c.max_err)
        else:
            worst = float("nan")
        if not c.ok:
            ok = False
            notes.append(f"output {k}: {c.why}")
    return [fam, name, op, "PASS" if ok else "FAIL", fmt_err(worst), "; ".join(notes)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", default=os.path.join(CACHE, "ops"),
                    help="directory written by gen_ops.py (default .cache/ops)")
    ap.add_argument("--pocketnn", default=default_pocketnn(),
                    help="the CLI to test (default $BUILD/pocketnn, BUILD=build)")
    ap.add_argument("--family", action="append", help="only this family; repeatable")
    ap.add_argument("--case", help="only cases whose name contains this")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="parallel runs (default 2)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per case")
    ap.add_argument("--failures-only", action="store_true",
                    help="print only failing rows (the summary counts all)")
    ap.add_argument("--json", help="also write the rows to this JSON file")
    args = ap.parse_args()

    try:
        with open(os.path.join(args.cache, "index.json")) as f:
            entries = json.load(f)["cases"]
    except (OSError, ValueError, KeyError) as e:
        print(f"error: cannot read {args.cache}/index.json ({e}); run gen_ops.py first",
              file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    if args.family:
        entries = [e for e in entries if e["family"] in set(args.family)]
    if args.case:
        entries = [e for e in entries if args.case in e["case"]]
    if not entries:
        # A run that checks nothing must not look like a success.
        print("error: no conformance cases to check", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        rows = list(pool.map(lambda e: check_case(args.pocketnn, args.cache, e,
                                                  args.timeout), entries))
    shown = [r for r in rows if r[3] != "PASS"] if args.failures_only else rows
    print_table(["family", "case", "op", "status", "max_err", "note"], shown)
    if args.json:
        keys = ["family", "case", "op", "status", "max_err", "note"]
        with open(args.json, "w") as f:
            json.dump([dict(zip(keys, r)) for r in rows], f, indent=1)
    passed = sum(r[3] == "PASS" for r in rows)
    failed = len(rows) - passed
    # Per-family totals help see which area is behind.
    fams = {}
    for r in rows:
        p, t = fams.get(r[0], (0, 0))
        fams[r[0]] = (p + (r[3] == "PASS"), t + 1)
    print("by family: " + ", ".join(f"{k} {p}/{t}" for k, (p, t) in sorted(fams.items())))
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

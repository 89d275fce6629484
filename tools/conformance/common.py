"""Shared helpers of the conformance scripts: paths, seeded inputs, running
`pocketnn run`, comparing outputs with LiteRT's, and printing result tables.

Only numpy is needed here, so check scripts stay light; TensorFlow and LiteRT
are imported by the scripts that make references.
"""
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from typing import List, Optional, Sequence

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.path.join(ROOT, ".cache")


def quiet_tensorflow():
    """Silences TF's C++ start-up chatter; call before importing it."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def default_pocketnn() -> str:
    build = os.environ.get("BUILD", "build")
    return os.path.join(ROOT, build, "pocketnn")


# ------------------------------------------------------------------ inputs

def random_array(rng: np.random.Generator, shape, dtype: str,
                 low: float, high: float) -> np.ndarray:
    """Seeded input: uniform floats in [low, high), integers in [low, high]
    inclusive, fair coin flips for bool."""
    shape = tuple(int(d) for d in shape)
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return rng.random(shape) < 0.5
    if dt.kind in "iu":
        lo, hi = int(np.ceil(low)), int(np.floor(high))
        info = np.iinfo(dt)
        lo, hi = max(lo, info.min), min(hi, info.max)
        return rng.integers(lo, hi, size=shape, endpoint=True).astype(dt)
    if dt.kind == "f":
        return rng.uniform(low, high, size=shape).astype(dt)
    raise ValueError(f"no random inputs for dtype {dtype}")


# -------------------------------------------------------------- comparison

@dataclass
class Compare:
    ok: bool
    max_err: float      # max |ours - ref| (0 for exact types that match)
    limit: float        # allowed max error
    why: str = ""       # reason for a failure, "" when ok


def compare(ours: np.ndarray, ref: np.ndarray, tol: float) -> Compare:
    """Float outputs pass when max|ours-ref| <= tol*max(1, max|ref|), with
    NaN and infinities required in the same places; integer and bool outputs
    must match exactly. Shape and dtype must be the model's."""
    if ours.dtype != ref.dtype:
        return Compare(False, float("inf"), 0.0,
                       f"dtype {ours.dtype} != reference {ref.dtype}")
    if ours.shape != ref.shape:
        return Compare(False, float("inf"), 0.0,
                       f"shape {list(ours.shape)} != reference {list(ref.shape)}")
    if ref.size == 0:
        return Compare(True, 0.0, 0.0)
    if ref.dtype.kind == "f":
        o = ours.astype(np.float64)
        r = ref.astype(np.float64)
        special = ~np.isfinite(r)
        if not np.array_equal(np.isnan(o), np.isnan(r)):
            return Compare(False, float("nan"), 0.0, "NaN in different places")
        nonnan = ~np.isnan(r)
        if not np.array_equal(o[special & nonnan], r[special & nonnan]):
            return Compare(False, float("inf"), 0.0, "infinities differ")
        fin = np.isfinite(r)
        if not np.all(np.isfinite(o[fin])):
            return Compare(False, float("inf"), 0.0, "non-finite where reference is finite")
        err = float(np.max(np.abs(o[fin] - r[fin]))) if fin.any() else 0.0
        scale = float(np.max(np.abs(r[fin]))) if fin.any() else 0.0
        limit = tol * max(1.0, scale)
        return Compare(err <= limit, err, limit,
                       "" if err <= limit else f"max error {err:.3g} > {limit:.3g}")
    # Exact types: count mismatches; report the largest numeric difference.
    if ref.dtype.kind in "iub":
        diff = ours != ref
        if not diff.any():
            return Compare(True, 0.0, 0.0)
        err = float(np.max(np.abs(ours.astype(np.float64) - ref.astype(np.float64))))
        return Compare(False, err, 0.0, f"{int(diff.sum())} of {ref.size} elements differ")
    ok = np.array_equal(ours, ref)
    return Compare(ok, 0.0 if ok else float("inf"), 0.0,
                   "" if ok else "values differ")


# ---------------------------------------------------------- running ours

@dataclass
class RunResult:
    ok: bool
    outputs: List[np.ndarray]
    message: str        # first error line of pocketnn, or "" on success
    exit_code: int


def run_pocketnn(pocketnn: str, model: str, inputs: Sequence[str],
                 timeout: float = 300.0, extra_args: Sequence[str] = ()) -> RunResult:
    """Runs `pocketnn run MODEL --input K=FILE ... --save-outputs DIR` and
    loads DIR/output_K.npy for K = 0, 1, ... until one is missing."""
    with tempfile.TemporaryDirectory(prefix="pnn-check-") as out_dir:
        # --raw: quantized models keep integer I/O (references are integer).
        cmd = [pocketnn, "run", model, "--raw"]
        for k, path in enumerate(inputs):
            cmd += ["--input", f"{k}={path}"]
        cmd += list(extra_args) + ["--save-outputs", out_dir]
        try:
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  timeout=timeout, text=True, errors="replace")
        except FileNotFoundError:
            return RunResult(False, [], f"{pocketnn} not found (run make)", 127)
        except subprocess.TimeoutExpired:
            return RunResult(False, [], f"timed out after {timeout:.0f}s", -1)
        if proc.returncode != 0:
            return RunResult(False, [], first_error(proc.stderr, proc.returncode),
                             proc.returncode)
        outputs = []
        while True:
            path = os.path.join(out_dir, f"output_{len(outputs)}.npy")
            if not os.path.exists(path):
                break
            try:
                outputs.append(np.load(path, allow_pickle=False))
            except Exception as e:  # a malformed .npy from us is a failure
                return RunResult(False, [], f"cannot read {os.path.basename(path)}: {e}", 0)
        return RunResult(True, outputs, "", 0)


def first_error(stderr: str, code: int) -> str:
    """The line that explains a failed run: `error: ...` if any, else the
    last line; a signal is named."""
    lines = [l.strip() for l in stderr.splitlines() if l.strip()]
    msg = next((l for l in lines if l.startswith("error:")), lines[-1] if lines else "")
    if code < 0:
        msg = f"killed by signal {-code}" + (f": {msg}" if msg else "")
    elif not msg:
        msg = f"exit {code}"
    return msg[:200]


# ------------------------------------------------------------------ tables

def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], out=None):
    """Plain aligned text table (fits a terminal and a CI log)."""
    import sys
    out = out or sys.stdout
    widths = [len(h) for h in headers]
    for r in rows:
        for i, c in enumerate(r[:-1]):
            widths[i] = max(widths[i], len(str(c)))
    fmt = "  ".join(f"{{:<{w}}}" for w in widths[:-1]) + "  {}"
    print(fmt.format(*headers), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for r in rows:
        print(fmt.format(*[str(c) for c in r]), file=out)
    out.flush()


def fmt_err(x: Optional[float]) -> str:
    if x is None:
        return "-"
    if x != x:
        return "nan"
    if x == float("inf"):
        return "inf"
    return f"{x:.3g}"


def write_json(path: str, obj) -> None:
    """Writes JSON atomically so an interrupted run leaves no half file."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)

#!/usr/bin/env python3
"""Generates the single-op conformance models and LiteRT's reference outputs.

For every Case in tools/conformance/ops/*.py (see cases.py) this traces
`fn` with tf.function over TensorSpecs, converts it with the TFLite
converter, feeds seeded random inputs to LiteRT (reference kernels) and
writes

    .cache/ops/<family>/<case>/model.tflite   the converted model
    .cache/ops/<family>/<case>/input_K.npy    input K of the model
    .cache/ops/<family>/<case>/ref_K.npy      LiteRT's output K
    .cache/ops/<family>/<case>/meta.json      spec hash, op list, tol, ...

plus .cache/ops/index.json listing the current cases for check_ops.py.
A case whose spec hash (its fn's code and captured values, inputs, seed,
converter settings and tool versions) is unchanged is not regenerated.
A case that fails to convert or run in LiteRT is recorded with its error, so
the checker reports it instead of silently losing it.

Files whose name starts with "_" (private examples) are read only when named
with --family.
"""
import argparse
import hashlib
import importlib.util
import inspect
import os
import shutil
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CACHE, quiet_tensorflow, random_array, write_json  # noqa: E402

quiet_tensorflow()
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OPS_DIR = os.path.join(HERE, "ops")
# Bump when the meaning of the generated files changes.
GEN_VERSION = 3


# ----------------------------------------------------------------- loading

def load_family(path):
    """Imports one ops/<family>.py and returns its CASES."""
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(f"pnn_conformance_ops_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    cases = getattr(mod, "CASES", None)
    if not isinstance(cases, (list, tuple)):
        raise ValueError(f"{path}: no CASES list")
    seen = set()
    for c in cases:
        if c.name in seen:
            raise ValueError(f"{path}: duplicate case name {c.name!r}")
        if not c.name or "/" in c.name or c.name.startswith("."):
            raise ValueError(f"{path}: bad case name {c.name!r}")
        seen.add(c.name)
    return list(cases)


def family_files(only):
    files = sorted(f for f in os.listdir(OPS_DIR) if f.endswith(".py"))
    if only:
        wanted = set(only)
        return [f for f in files if f[:-3] in wanted]
    return [f for f in files if not f.startswith("_")]


# ------------------------------------------------------------- spec hash

def _feed(h, obj, depth=0):
    """Hashes a value captured by a case: arrays by bytes, code by its
    bytecode and constants, functions by code and captured values."""
    if depth > 6:
        h.update(b"<deep>")
        return
    if isinstance(obj, np.ndarray):
        h.update(f"nd{obj.dtype}{obj.shape}".encode())
        h.update(np.ascontiguousarray(obj).tobytes())
    elif inspect.iscode(obj):
        h.update(obj.co_code)
        h.update(repr(obj.co_names).encode())
        for c in obj.co_consts:
            _feed(h, c, depth + 1)
    elif inspect.isfunction(obj):
        _feed(h, obj.__code__, depth + 1)
        _feed(h, obj.__defaults__, depth + 1)
        _feed(h, obj.__kwdefaults__, depth + 1)
        for cell in obj.__closure__ or ():
            try:
                _feed(h, cell.cell_contents, depth + 1)
            except ValueError:  # empty cell
                h.update(b"<empty>")
        # Module-level values the code reads by name (weights arrays, helper
        # functions of the same file): editing them must change the hash.
        for name in sorted(_global_names(obj.__code__)):
            g = obj.__globals__.get(name)
            if isinstance(g, (np.ndarray, int, float, str, list, tuple, dict)) or (
                    inspect.isfunction(g) and g.__module__ == obj.__module__
                    and g is not obj):
                h.update(name.encode())
                _feed(h, g, depth + 1)
    elif isinstance(obj, (list, tuple)):
        h.update(f"{type(obj).__name__}{len(obj)}".encode())
        for x in obj:
            _feed(h, x, depth + 1)
    elif isinstance(obj, dict):
        for k in sorted(obj, key=repr):
            h.update(repr(k).encode())
            _feed(h, obj[k], depth + 1)
    elif callable(obj) and hasattr(obj, "__name__"):
        # Library functions (tf.nn.relu, np.add): their qualified name.
        h.update(f"{getattr(obj, '__module__', '')}.{obj.__name__}".encode())
    else:
        h.update(repr(obj).encode())


def _global_names(code):
    """Names a code object and its nested code objects look up globally."""
    names = set(code.co_names)
    for c in code.co_consts:
        if inspect.iscode(c):
            names |= _global_names(c)
    return names


def spec_hash(family, case, versions):
    h = hashlib.sha256()
    h.update(f"gen{GEN_VERSION}|{family}|{case.name}|{versions}".encode())
    _feed(h, case.fn)
    for i in case.inputs:
        h.update(f"in{list(i.shape)}|{i.dtype}|{i.low}|{i.high}".encode())
        _feed(h, None if i.values is None else np.asarray(i.values))
    h.update(f"|{case.tol}|{case.seed}|{case.op}".encode())
    _feed(h, case.converter)
    if getattr(case, "quant", ""):  # float cases keep their old hashes
        h.update(f"|quant={case.quant}".encode())
    return h.hexdigest()


# -------------------------------------------------------------- generating

def case_inputs(case):
    """Seeded inputs in the order of case.inputs."""
    rng = np.random.default_rng(case.seed)
    arrays = []
    for i in case.inputs:
        if i.values is not None:
            arrays.append(np.asarray(i.values, dtype=i.dtype).reshape(tuple(i.shape)))
        else:
            arrays.append(random_array(rng, i.shape, i.dtype, i.low, i.high))
    return arrays


def set_option(obj, dotted, value):
    """Applies one converter setting, e.g. 'target_spec.supported_ops'."""
    parts = dotted.split(".")
    for p in parts[:-1]:
        obj = getattr(obj, p)
    setattr(obj, parts[-1], value)


class native_stderr_to_file:
    """Sends fd 2 (TF's and LiteRT's C++ logging) to a temp file while
    converting, so a run prints only our own lines."""

    def __enter__(self):
        import tempfile
        sys.stderr.flush()
        self.saved = os.dup(2)
        self.file = tempfile.TemporaryFile()
        os.dup2(self.file.fileno(), 2)
        return self

    def __exit__(self, *exc):
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        self.file.close()
        return False


def convert(tf, case):
    specs = [tf.TensorSpec(list(i.shape), tf.as_dtype(i.dtype), name=f"input_{k}")
             for k, i in enumerate(case.inputs)]
    concrete = tf.function(case.fn, input_signature=specs, autograph=False) \
        .get_concrete_function()
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete])
    quantize_settings(tf, converter, case)
    for key, value in case.converter.items():
        set_option(converter, key, value)
    model = converter.convert()
    if getattr(case, "quant", "") == "uint8":
        model = int8_to_uint8(model)
    return model


def int8_to_uint8(model_bytes):
    """A legacy uint8 model from a per-tensor int8 one: every int8 tensor
    becomes uint8 with zero point + 128 and (constants) data + 128, which
    represents the same real values; int32 biases are unchanged. This is
    the layout TF1's uint8 quantization produced."""
    from tensorflow.lite.python import schema_py_generated as S
    from tensorflow.lite.tools import flatbuffer_utils as fu
    model = fu.read_model_from_bytearray(bytearray(model_bytes))
    for sg in model.subgraphs:
        for t in sg.tensors:
            if t.type != S.TensorType.INT8:
                continue
            q = t.quantization
            if q is None or q.zeroPoint is None or len(q.zeroPoint) != 1:
                raise ValueError(f"tensor {t.name!r}: uint8 needs per-tensor "
                                 "quantization (set _experimental_disable_per_channel)")
            t.type = S.TensorType.UINT8
            q.zeroPoint = [int(q.zeroPoint[0]) + 128]
            buf = model.buffers[t.buffer]
            if buf.data is not None and len(buf.data):
                d = np.frombuffer(bytes(bytearray(buf.data)), np.int8)
                buf.data = (d.astype(np.int16) + 128).astype(np.uint8).tobytes()
    return bytes(fu.convert_object_to_bytearray(model))


QUANT_MODES = ("", "int8", "int8f", "uint8", "16x8", "dynamic")


def representative_dataset(case, count=24):
    """Seeded random inputs drawn like the case's own (not the same
    samples): the calibration data of a quantized case."""
    rng = np.random.default_rng(case.seed + 7919)

    def gen():
        for _ in range(count):
            yield [random_array(rng, i.shape, i.dtype, i.low, i.high)
                   if i.values is None else
                   np.asarray(i.values, dtype=i.dtype).reshape(tuple(i.shape))
                   for i in case.inputs]
    return gen


def quantize_settings(tf, converter, case):
    """Converter settings of case.quant (see cases.py)."""
    mode = getattr(case, "quant", "")
    if mode not in QUANT_MODES:
        raise ValueError(f"unknown quant mode {mode!r}")
    if not mode:
        return
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "dynamic":
        return
    converter.representative_dataset = representative_dataset(case)
    if mode == "16x8":
        converter.target_spec.supported_ops = [
            tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
        converter.inference_input_type = tf.int16
        converter.inference_output_type = tf.int16
    else:
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        if mode == "uint8":
            converter._experimental_disable_per_channel = True
        if mode in ("int8", "uint8"):
            converter.inference_input_type = tf.int8
            converter.inference_output_type = tf.int8


def quantize_input(a, d):
    """A float case input for an integer model input: quantized with the
    input's scale and zero point as TFLite's QUANTIZE does."""
    scale, zp = d.get("quantization", (0.0, 0))
    dt = np.dtype(d["dtype"])
    if a.dtype.kind != "f" or dt.kind not in "iu" or not scale:
        return a
    info = np.iinfo(dt)
    q = np.round(a.astype(np.float32) / np.float32(scale)) + zp
    return np.clip(q, info.min, info.max).astype(dt)


def input_order(details, n):
    """Maps the model's input K to case input index via the names input_<i>
    the converter keeps (it may add a prefix or ':0')."""
    order = []
    for d in details:
        name = d["name"].split(":")[0]
        idx = None
        for i in range(n):
            if name == f"input_{i}" or name.endswith(f"_input_{i}"):
                idx = i
        if idx is None:
            raise ValueError(f"model input {d['name']!r} matches no case input")
        order.append(idx)
    return order


def run_litert(litert, model, arrays, resolver):
    interp = litert.Interpreter(model_content=model,
                                experimental_op_resolver_type=resolver)
    details = interp.get_input_details()
    order = input_order(details, len(arrays))
    for d, idx in zip(details, order):
        a = arrays[idx]
        if list(d["shape"]) != list(a.shape):
            interp.resize_tensor_input(d["index"], list(a.shape))
    interp.allocate_tensors()
    model_inputs = []
    for d, idx in zip(details, order):
        a = quantize_input(arrays[idx], d).astype(d["dtype"], copy=False)
        # LiteRT's Python binding rejects get/set of 0-byte tensors; an
        # empty input has nothing to set.
        if a.size:
            interp.set_tensor(d["index"], a)
        model_inputs.append(a)
    interp.invoke()
    refs = []
    for d in interp.get_output_details():
        shape = [int(x) for x in d["shape"]]
        if 0 in shape:
            # Empty output: only shape and dtype exist, both from LiteRT.
            refs.append(np.zeros(shape, d["dtype"]))
        else:
            refs.append(np.array(interp.get_tensor(d["index"])))
    ops = [o["op_name"] for o in interp._get_ops_details()]
    return model_inputs, refs, ops, order


# Ops whose kernel in LiteRT's reference resolver (BUILTIN_REF) disagrees
# with TensorFlow; their references come from the default builtin kernels
# (without delegates), which match TensorFlow.
REF_RESOLVER_WRONG = {
    # The reference kernel sums the window [c - r, c + r) instead of
    # [c - r, c + r]: off by 0.13 on lrn_default vs tf.nn.local_response_
    # normalization, while the default kernel matches TF to 1e-7.
    "LOCAL_RESPONSE_NORMALIZATION",
    # int8 SUM whose output scale differs from the input's: the reference
    # kernel returns values unrelated to the sum (125 where the float sum
    # quantizes to 51, int8_elementwise/sum_int8) while the default kernel
    # gives round(sum * s_in / s_out) + zp exactly. Float SUM is the same
    # plain sum in both.
    "SUM",
}


def run_litert_any(litert, model, arrays, resolver):
    """Reference kernels first. BUILTIN_REF lacks a few ops (e.g. ELU, CEIL,
    ROUND) and has the wrong ones listed above; those use the default
    builtin kernels without delegates. Returns the resolver used too."""
    fallback = litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    try:
        result = run_litert(litert, model, arrays, resolver)
    except (RuntimeError, ValueError) as e:
        if resolver != litert.OpResolverType.BUILTIN_REF or (
                "Registration failed" not in str(e) and "Didn't find op" not in str(e)):
            raise
        return run_litert(litert, model, arrays, fallback) + (fallback.name,)
    if resolver == litert.OpResolverType.BUILTIN_REF and REF_RESOLVER_WRONG & set(result[2]):
        return run_litert(litert, model, arrays, fallback) + (fallback.name,)
    return result + (resolver.name,)


def error_line(e):
    """The informative line of an exception: MLIR diagnostics put the
    reason on a line with 'error:'; otherwise the first non-empty line."""
    text = "".join(traceback.format_exception_only(type(e), e))
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    for l in lines:
        if "error:" in l:
            return l[l.index("error:"):][:500]
    return (lines[0] if lines else type(e).__name__)[:500]


def generate_case(tf, litert, resolver, family, case, out_dir, digest):
    """Writes one case directory; returns its meta dict."""
    meta = {"family": family, "case": case.name, "op": case.op, "tol": case.tol,
            "seed": case.seed, "spec_hash": digest, "gen_version": GEN_VERSION}
    if getattr(case, "quant", ""):
        meta["quant"] = case.quant
    tmp = out_dir + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    try:
        with native_stderr_to_file():
            model = convert(tf, case)
        with open(os.path.join(tmp, "model.tflite"), "wb") as f:
            f.write(model)
        inputs, refs, ops, order, used = run_litert_any(litert, model, case_inputs(case),
                                                        resolver)
        for k, a in enumerate(inputs):
            np.save(os.path.join(tmp, f"input_{k}.npy"), a)
        for k, r in enumerate(refs):
            np.save(os.path.join(tmp, f"ref_{k}.npy"), r)
        meta.update(ops=ops, inputs=len(inputs), outputs=len(refs), resolver=used,
                    input_order=order, model_bytes=len(model))
    except Exception as e:  # recorded and reported by check_ops.py
        meta.update(error=error_line(e))
    write_json(os.path.join(tmp, "meta.json"), meta)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.replace(tmp, out_dir)
    return meta


def up_to_date(out_dir, digest):
    import json
    try:
        with open(os.path.join(out_dir, "meta.json")) as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return None
    # Failed cases are retried every run (a fix may be in TF-side code or
    # in this generator, which the hash does not see).
    if meta.get("spec_hash") != digest or "error" in meta:
        return None
    if "error" not in meta:
        need = ["model.tflite"] + [f"input_{k}.npy" for k in range(meta.get("inputs", 0))] \
            + [f"ref_{k}.npy" for k in range(meta.get("outputs", 0))]
        if not all(os.path.exists(os.path.join(out_dir, n)) for n in need):
            return None
    return meta


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(CACHE, "ops"),
                    help="cache directory (default .cache/ops)")
    ap.add_argument("--family", action="append",
                    help="only this family (file name without .py); repeatable")
    ap.add_argument("--case", help="only cases whose name contains this")
    ap.add_argument("--force", action="store_true", help="regenerate every case")
    ap.add_argument("--resolver", default="BUILTIN_REF",
                    choices=["BUILTIN_REF", "BUILTIN", "BUILTIN_WITHOUT_DEFAULT_DELEGATES"],
                    help="LiteRT kernels for references (default: reference kernels)")
    args = ap.parse_args()

    sys.path.insert(0, HERE)  # ops/*.py import `cases`
    families = []
    load_errors = 0
    load_failures = []
    for fname in family_files(args.family):
        try:
            families.append((fname[:-3], load_family(os.path.join(OPS_DIR, fname))))
        except Exception as e:
            load_errors += 1
            msg = f"ops/{fname}: {type(e).__name__}: {e}"
            print(f"error: {msg}", file=sys.stderr)
            # Listed in the index so the checker counts it as a failure.
            load_failures.append({"family": fname[:-3], "case": "(load)",
                                  "dir": "", "error": msg[:500]})
    if args.family:
        missing = set(args.family) - {f for f, _ in families}
        for m in sorted(missing):
            if not os.path.exists(os.path.join(OPS_DIR, m + ".py")):
                print(f"error: no family ops/{m}.py", file=sys.stderr)
                load_errors += 1

    tf = litert = None
    versions = ""
    try:
        import tensorflow as tf
        from ai_edge_litert import interpreter as litert
        import ai_edge_litert
        versions = f"tf{tf.__version__}|litert{getattr(ai_edge_litert, '__version__', '?')}"
    except ImportError as e:
        print(f"error: {e} (run scripts/setup_venv.sh and use .venv/bin/python)",
              file=sys.stderr)
        return 1
    tf.get_logger().setLevel("ERROR")
    import logging
    logging.getLogger("absl").setLevel(logging.ERROR)
    resolver = getattr(litert.OpResolverType, args.resolver)

    os.makedirs(args.out, exist_ok=True)
    # One generator at a time per cache (several people may run it at once);
    # the lock is released when the process exits.
    import fcntl
    lock = open(os.path.join(args.out, ".lock"), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    index = []
    made = kept = failed = 0
    t0 = time.time()
    for family, cases in families:
        fam_dir = os.path.join(args.out, family)
        os.makedirs(fam_dir, exist_ok=True)
        for case in cases:
            if args.case and args.case not in case.name:
                continue
            out_dir = os.path.join(fam_dir, case.name)
            digest = spec_hash(family, case, versions)
            meta = None if args.force else up_to_date(out_dir, digest)
            if meta is None:
                meta = generate_case(tf, litert, resolver, family, case, out_dir, digest)
                made += 1
            else:
                kept += 1
            if "error" in meta:
                failed += 1
                print(f"error: {family}/{case.name}: {meta['error']}", file=sys.stderr)
            index.append({"family": family, "case": case.name,
                          "dir": os.path.relpath(out_dir, args.out)})
        # Cases removed from the family file leave no stale directories.
        if not args.case:
            current = {c.name for c in cases}
            for d in os.listdir(fam_dir):
                if d not in current and os.path.isdir(os.path.join(fam_dir, d)):
                    shutil.rmtree(os.path.join(fam_dir, d), ignore_errors=True)

    # Merge with the index of families not regenerated this time, so a
    # filtered run does not hide other families from the checker.
    index_path = os.path.join(args.out, "index.json")
    if args.family or args.case:
        import json
        try:
            with open(index_path) as f:
                old = json.load(f).get("cases", [])
        except (OSError, ValueError):
            old = []
        done = {(e["family"], e["case"]) for e in index}
        regenerated = {f for f, _ in families}
        index = [e for e in old if (e["family"], e["case"]) not in done
                 and (args.case or e["family"] not in regenerated)] + index
    index = [e for e in index if e["family"] not in {f["family"] for f in load_failures}]
    index += load_failures
    write_json(index_path, {"gen_version": GEN_VERSION, "versions": versions,
                            "cases": sorted(index, key=lambda e: (e["family"], e["case"]))})
    print(f"gen_ops: {made} generated, {kept} up to date, {failed} with errors, "
          f"{load_errors} family load errors, {time.time() - t0:.1f}s", file=sys.stderr)
    return 1 if (failed or load_errors) else 0


if __name__ == "__main__":
    sys.exit(main())

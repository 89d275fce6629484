"""Runs each model in DIR (from builder_ops_gen.c) in LiteRT (reference
kernels, falling back to the default kernels where the reference resolver
lacks the op) and in `pocketnn run` on the same seeded inputs; compares
every output: max|ours-ref| <= 1e-4*max(1,max|ref|) for floats, exact
otherwise. Prints a row per model and "N passed, N failed"."""
import glob
import os
import subprocess
import sys
import tempfile

import numpy as np
from ai_edge_litert import interpreter as litert


def litert_run(path, feeds):
    last = None
    for kind in (litert.OpResolverType.BUILTIN_REF, None):
        try:
            kw = {} if kind is None else {"experimental_op_resolver_type": kind}
            it = litert.Interpreter(model_path=path, **kw)
            it.allocate_tensors()
            for d, x in zip(it.get_input_details(), feeds):
                it.set_tensor(d["index"], x)
            it.invoke()
            return [np.array(it.get_tensor(d["index"])) for d in it.get_output_details()]
        except (RuntimeError, ValueError) as e:
            last = e
    raise RuntimeError(f"LiteRT: {last}")


def main():
    model_dir, pocketnn = sys.argv[1], sys.argv[2]
    passed = failed = 0
    for path in sorted(glob.glob(os.path.join(model_dir, "*.tflite"))):
        name = os.path.basename(path)[:-7]
        rng = np.random.default_rng(7)
        it = litert.Interpreter(model_path=path)
        feeds = []
        for d in it.get_input_details():
            shape, dt = tuple(d["shape"]), np.dtype(d["dtype"])
            feeds.append(rng.uniform(-2, 2, shape).astype(dt) if dt.kind == "f"
                         else rng.integers(-5, 6, shape).astype(dt))
        try:
            refs = litert_run(path, feeds)
        except RuntimeError as e:
            print(f"FAIL  {name:22s} {e}")
            failed += 1
            continue
        with tempfile.TemporaryDirectory() as tmp:
            args = [pocketnn, "run", path, "--save-outputs", tmp]
            for k, x in enumerate(feeds):
                np.save(os.path.join(tmp, f"in{k}.npy"), x)
                args += ["--input", f"{k}={os.path.join(tmp, f'in{k}.npy')}"]
            r = subprocess.run(args, capture_output=True, text=True)
            if r.returncode != 0:
                print(f"FAIL  {name:22s} pocketnn: {r.stderr.strip()[:200]}")
                failed += 1
                continue
            ours = [np.load(os.path.join(tmp, f"output_{k}.npy")) for k in range(len(refs))]
        worst, why = 0.0, ""
        for k, (o, ref) in enumerate(zip(ours, refs)):
            if o.shape != ref.shape or o.dtype != ref.dtype:
                why = f"output {k}: {o.dtype}{list(o.shape)} vs {ref.dtype}{list(ref.shape)}"
                break
            err = float(np.max(np.abs(o.astype(np.float64) - ref))) if ref.size else 0.0
            worst = max(worst, err)
            lim = 1e-4 * max(1.0, float(np.max(np.abs(ref)))) if ref.dtype.kind == "f" else 0.0
            if err > lim:
                why = f"output {k}: max error {err:.3g} > {lim:.3g}"
                break
        if why:
            print(f"FAIL  {name:22s} {why}")
            failed += 1
        else:
            print(f"PASS  {name:22s} max_err {worst:.3g}")
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

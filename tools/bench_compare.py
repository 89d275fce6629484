#!/usr/bin/env python3
"""pocketnn vs LiteRT latency, side by side, on the same machine and run.

For every model and thread count, LiteRT (ai-edge-litert, default XNNPACK
delegate, num_threads = N) and `pocketnn bench --threads N` run in
alternating rounds, so drift in machine load hits both alike. Each round
times `--runs` invocations after warm-up; a side's figure is the median of
its per-round medians. Prints one table row per model and thread count:
median latency of both, and the ratio pocketnn / LiteRT (< 1: pocketnn
faster). Models LiteRT cannot load (MediaPipe custom ops) show "n/a".

Memory and load time are measured the same way for both, each in fresh
child processes: pocketnn's are the `pocketnn bench` rounds themselves;
LiteRT's are `--mem-rounds` runs of this script as a child
(`--litert-child`), which imports LiteRT, notes its max RSS, times
`Interpreter(model_path, num_threads)` + `allocate_tensors()` (load time:
file -> ready to invoke), invokes warm-up + `--runs` times and reads
the peak RSS again (VmHWM, as pocketnn bench does; see max_rss_bytes). Columns: peak RSS of the whole process, and the
part the model added (peak minus max RSS before the load; this leaves out
the Python interpreter and the LiteRT/pocketnn code pages). Figures are
medians over the child processes. The library sizes (`size` text+data+bss)
compared are build/libpocketnn.so and the shared library that LiteRT's
Python Interpreter runs on (its _pywrap_litert_interpreter_wrapper*.so is
a stub linked to libpywrap_litert_common.so, which holds the interpreter
and XNNPACK).

    .venv/bin/python tools/bench_compare.py [--keras] [--markdown FILE]
        [--variants float32,float16] [--only ResNet50/float16]

--variants picks the Keras variants (default float32,int8); --only keeps
the models whose name (file name, or Model/variant) contains the text.

--keras first makes MobileNetV2 and EfficientNetB0 (Keras, random weights,
float32, 224x224) into .cache/bench/ if they are not there yet.
"""
import argparse
import glob
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

BENCH_DIR = os.path.join(ROOT, ".cache", "bench")
KERAS_VARIANTS = ("float32", "float16", "int8", "dynamic")
# The Keras set, as tools/conformance's Keras models make them
# (.cache/keras/<Model>/<variant>.tflite); used when present.
KERAS_MODELS = ("MobileNet", "MobileNetV2", "MobileNetV3Large",
                "MobileNetV3Small", "EfficientNetB0", "ResNet50")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def make_keras_models():
    """MobileNetV2 / EfficientNetB0 with random weights (seeded) as float32
    .tflite files in .cache/bench/."""
    os.makedirs(BENCH_DIR, exist_ok=True)
    todo = [("keras_mobilenet_v2", "MobileNetV2"),
            ("keras_efficientnet_b0", "EfficientNetB0")]
    out = []
    for name, cls in todo:
        path = os.path.join(BENCH_DIR, name + ".tflite")
        out.append(path)
        if os.path.exists(path):
            continue
        import tensorflow as tf
        tf.keras.utils.set_random_seed(0)
        model = getattr(tf.keras.applications, cls)(weights=None,
                                                    input_shape=(224, 224, 3))
        conv = tf.lite.TFLiteConverter.from_keras_model(model)
        data = conv.convert()
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)
        print(f"made {path} ({len(data) / 1e6:.1f} MB)", file=sys.stderr)
    return out


class LiteRT:
    def __init__(self, path, threads):
        from ai_edge_litert.interpreter import Interpreter
        self.it = Interpreter(model_path=path, num_threads=threads)
        self.it.allocate_tensors()
        self.fill()

    def fill(self):
        rng = np.random.default_rng(1)
        for d in self.it.get_input_details():
            if np.issubdtype(d["dtype"], np.floating):
                x = rng.uniform(0, 1, d["shape"]).astype(d["dtype"])
            else:
                info = np.iinfo(d["dtype"])
                x = rng.integers(max(info.min, -128), min(info.max, 127) + 1,
                                 d["shape"]).astype(d["dtype"])
            self.it.set_tensor(d["index"], x)

    def round(self, warmup, runs):
        for _ in range(warmup):
            self.it.invoke()
        ms = []
        for _ in range(runs):
            t = time.perf_counter()
            self.it.invoke()
            ms.append((time.perf_counter() - t) * 1e3)
        return statistics.median(ms)


def max_rss_bytes():
    """Peak RSS of this process, as `pocketnn bench` measures it: VmHWM
    (per address space; getrusage's ru_maxrss would include the parent's
    size, which Linux carries over across fork + exec), else ru_maxrss."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def litert_child(path, threads, warmup, runs):
    """In a fresh process: load time, max RSS before load and at the end."""
    from ai_edge_litert.interpreter import Interpreter
    base = max_rss_bytes()
    t = time.perf_counter()
    it = Interpreter(model_path=path, num_threads=threads)
    it.allocate_tensors()
    load_ms = (time.perf_counter() - t) * 1e3
    lite = LiteRT.__new__(LiteRT)
    lite.it = it
    lite.fill()
    lite.round(warmup, runs)
    print(json.dumps({"init_ms": load_ms, "base_rss_bytes": base,
                      "peak_rss_bytes": max_rss_bytes()}))


def litert_memory(path, threads, warmup, runs, rounds):
    out = []
    for _ in range(rounds):
        r = subprocess.run([sys.executable, os.path.abspath(__file__),
                            "--litert-child", path, "--threads", str(threads),
                            "--warmup", str(warmup), "--runs", str(runs)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return None
        out.append(json.loads(r.stdout.strip().splitlines()[-1]))
    return out


def pocketnn_round(exe, path, threads, warmup, runs):
    r = subprocess.run([exe, "bench", path, "--threads", str(threads),
                        "--warmup", str(warmup), "--runs", str(runs),
                        "--json"], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError((r.stderr or r.stdout).strip().splitlines()[-1])
    return json.loads(r.stdout)


def summary(docs):
    """Median load ms, peak RSS MB and model RSS MB over child runs."""
    if not docs:
        return None
    med = statistics.median
    return (med(d["init_ms"] for d in docs),
            med(d["peak_rss_bytes"] for d in docs) / 2**20,
            med(d["peak_rss_bytes"] - d["base_rss_bytes"] for d in docs) / 2**20)


def bench_model(exe, path, threads, rounds, warmup, runs, mem_rounds):
    try:
        lite = LiteRT(path, threads)
    except Exception as e:  # custom ops LiteRT lacks
        lite, lite_err = None, str(e).splitlines()[0][:60]
    ours, theirs, err = [], [], ""
    for _ in range(rounds):
        try:
            ours.append(pocketnn_round(exe, path, threads, warmup, runs))
        except RuntimeError as e:
            err = str(e)[:60]
            break
        if lite:
            theirs.append(lite.round(warmup, runs))
    del lite
    o = statistics.median(d["latency_ms"]["median"] for d in ours) if ours else None
    t = statistics.median(theirs) if theirs else None
    mem_o = summary(ours)
    mem_t = (summary(litert_memory(path, threads, warmup, runs, mem_rounds))
             if theirs and mem_rounds > 0 else None)
    note = err or ("" if t else "LiteRT: " + lite_err)
    return o, t, mem_o, mem_t, note


def size_of(path):
    """`size` text+data+bss of a shared library, or None."""
    try:
        r = subprocess.run(["size", path], capture_output=True, text=True)
        return int(r.stdout.splitlines()[1].split()[3])
    except (OSError, IndexError, ValueError):
        return None


def litert_library():
    """The shared library LiteRT's Python Interpreter runs on."""
    import ai_edge_litert
    d = os.path.dirname(ai_edge_litert.__file__)
    common = glob.glob(os.path.join(d, "libpywrap_litert_common*.so"))
    wrap = glob.glob(os.path.join(d, "_pywrap_*interpreter_wrapper*.so"))
    return (common or wrap or [None])[0]


def library_line(exe):
    lib = os.path.join(os.path.dirname(os.path.abspath(exe)), "libpocketnn.so")
    ours, lite = size_of(lib), None
    lite_path = litert_library()
    if lite_path:
        lite = size_of(lite_path)
    fmt = lambda n: f"{n / 1e6:.2f} MB" if n else "n/a"  # noqa: E731
    rel = lambda p: os.path.relpath(p, ROOT) if p else "n/a"  # noqa: E731
    return (f"library size (`size`, text+data+bss): pocketnn {fmt(ours)} "
            f"({rel(lib)}); LiteRT {fmt(lite)} ({rel(lite_path)})")


def display_name(path):
    """File name without .tflite; Model/variant for the Keras set."""
    name = os.path.splitext(os.path.basename(path))[0]
    if name in KERAS_VARIANTS:  # .cache/keras/<Model>/<variant>.tflite
        name = os.path.basename(os.path.dirname(path)) + "/" + name
    return name


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pocketnn", default=os.path.join(ROOT, "build", "pocketnn"))
    ap.add_argument("--models", nargs="*", help="model files (default: the "
                    "mediapipe models, .cache/bench/*.tflite and the float32 "
                    "and int8 Keras models in .cache/keras)")
    ap.add_argument("--only", default="", help="models whose name (e.g. "
                    "selfie_segmentation, ResNet50/float16) contains this")
    ap.add_argument("--variants", default="float32,int8",
                    help="Keras variants to include (of %s)" %
                    ",".join(KERAS_VARIANTS))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--keras", action="store_true",
                    help="make the Keras models first (needs tensorflow)")
    ap.add_argument("--mem-rounds", type=int, default=3,
                    help="LiteRT child processes for load time and RSS")
    ap.add_argument("--markdown", help="also write the table here")
    ap.add_argument("--litert-child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.litert_child:
        litert_child(a.litert_child, int(a.threads), a.warmup, a.runs)
        return
    if a.keras:
        make_keras_models()
    keras = [os.path.join(ROOT, ".cache", "keras", k, v + ".tflite")
             for k in KERAS_MODELS for v in a.variants.split(",")]
    models = a.models or sorted(
        glob.glob(os.path.join(ROOT, ".cache/mediapipe/mediapipe/modules/**/*.tflite"),
                  recursive=True)) + sorted(glob.glob(os.path.join(BENCH_DIR, "*.tflite"))) + [
        k for k in keras if os.path.exists(k)]
    models = [m for m in models if a.only in display_name(m)]
    threads = [int(t) for t in a.threads.split(",")]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    head = (f"CPU: {cpu_model()}, {os.cpu_count()} logical CPUs; "
            f"load average at start: {load}; {a.rounds} alternating rounds "
            f"x {a.runs} runs")
    libs = library_line(a.pocketnn)
    print(head)
    print(libs)
    rows = []
    hdr = ("model", "threads", "pocketnn ms", "LiteRT ms", "ratio",
           "load ms pnn", "load ms LiteRT", "peak RSS MB pnn",
           "peak RSS MB LiteRT", "model RSS MB pnn", "model RSS MB LiteRT",
           "note")
    line = "%-30s %2s %8s %8s %5s %8s %8s %7s %7s %7s %7s  %s"
    print(line % ("model", "th", "pnn ms", "lite ms", "ratio", "load pnn",
                  "load lt", "RSS pnn", "RSS lt", "mdl pnn", "mdl lt", "note"))
    f2 = lambda v, p=2: f"{v:.{p}f}" if v is not None else "n/a"  # noqa: E731
    for m in models:
        name = display_name(m)
        for n in threads:
            o, t, mo, mt, note = bench_model(a.pocketnn, m, n, a.rounds,
                                             a.warmup, a.runs, a.mem_rounds)
            ratio = f"{o / t:.2f}" if o and t else "n/a"
            mo = mo or (None, None, None)
            mt = mt or (None, None, None)
            row = (name, str(n), f2(o), f2(t), ratio, f2(mo[0]), f2(mt[0]),
                   f2(mo[1], 1), f2(mt[1], 1), f2(mo[2], 1), f2(mt[2], 1), note)
            rows.append(row)
            print(line % row, flush=True)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(head + "\n\n" + libs + "\n\n| " + " | ".join(hdr) + " |\n")
            f.write("|" + "---|" * len(hdr) + "\n")
            for r in rows:
                f.write("| " + " | ".join(r) + " |\n")


if __name__ == "__main__":
    main()

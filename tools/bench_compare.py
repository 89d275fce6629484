#!/usr/bin/env python3
"""pocketnn vs LiteRT latency, side by side, on the same machine and run.

For every model and thread count, LiteRT (ai-edge-litert, default XNNPACK
delegate, num_threads = N) and `pocketnn bench --threads N` run in
alternating rounds, so drift in machine load hits both alike. Each round
times `--runs` invocations after warm-up; a side's figure is the median of
its per-round medians. Prints one table row per model and thread count:
median latency of both, and the ratio pocketnn / LiteRT (< 1: pocketnn
faster). Models LiteRT cannot load (MediaPipe custom ops) show "n/a".

    .venv/bin/python tools/bench_compare.py [--keras] [--markdown FILE]

--keras first makes MobileNetV2 and EfficientNetB0 (Keras, random weights,
float32, 224x224) into .cache/bench/ if they are not there yet.
"""
import argparse
import glob
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

BENCH_DIR = os.path.join(ROOT, ".cache", "bench")


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


def pocketnn_round(exe, path, threads, warmup, runs):
    r = subprocess.run([exe, "bench", path, "--threads", str(threads),
                        "--warmup", str(warmup), "--runs", str(runs),
                        "--json"], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError((r.stderr or r.stdout).strip().splitlines()[-1])
    return json.loads(r.stdout)["latency_ms"]["median"]


def bench_model(exe, path, threads, rounds, warmup, runs):
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
    o = statistics.median(ours) if ours else None
    t = statistics.median(theirs) if theirs else None
    note = err or ("" if lite else "LiteRT: " + lite_err)
    return o, t, note


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pocketnn", default=os.path.join(ROOT, "build", "pocketnn"))
    ap.add_argument("--models", nargs="*", help="model files (default: the "
                    "mediapipe models, plus .cache/bench/*.tflite)")
    ap.add_argument("--only", default="", help="models whose name contains this")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--keras", action="store_true",
                    help="make the Keras models first (needs tensorflow)")
    ap.add_argument("--markdown", help="also write the table here")
    a = ap.parse_args()
    if a.keras:
        make_keras_models()
    models = a.models or sorted(
        glob.glob(os.path.join(ROOT, ".cache/mediapipe/mediapipe/modules/**/*.tflite"),
                  recursive=True)) + sorted(glob.glob(os.path.join(BENCH_DIR, "*.tflite")))
    models = [m for m in models if a.only in os.path.basename(m)]
    threads = [int(t) for t in a.threads.split(",")]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    head = (f"CPU: {cpu_model()}, {os.cpu_count()} logical CPUs; "
            f"load average at start: {load}; {a.rounds} alternating rounds "
            f"x {a.runs} runs")
    print(head)
    rows = []
    hdr = ("model", "threads", "pocketnn ms", "LiteRT ms", "ratio", "note")
    print("%-34s %7s %12s %10s %6s  %s" % hdr)
    for m in models:
        name = os.path.splitext(os.path.basename(m))[0]
        for n in threads:
            o, t, note = bench_model(a.pocketnn, m, n, a.rounds, a.warmup, a.runs)
            ratio = f"{o / t:.2f}" if o and t else "n/a"
            row = (name, str(n), f"{o:.2f}" if o else "n/a",
                   f"{t:.2f}" if t else "n/a", ratio, note)
            rows.append(row)
            print("%-34s %7s %12s %10s %6s  %s" % row, flush=True)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(head + "\n\n| " + " | ".join(hdr) + " |\n")
            f.write("|" + "---|" * len(hdr) + "\n")
            for r in rows:
                f.write("| " + " | ".join(r) + " |\n")


if __name__ == "__main__":
    main()

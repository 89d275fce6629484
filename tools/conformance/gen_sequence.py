#!/usr/bin/env python3
"""Generates the sequence-model conformance cases and their LiteRT
references into .cache/sequence/<model>/ (only what is missing), in the
layout of gen_keras.py (float32 variant, LiteRT default resolver):

    lstm_classifier    Embedding(1000, 32) -> LSTM(32) -> Dense(2)
    gru_classifier     Embedding(1000, 32) -> GRU(32) -> Dense(2)
    transformer_block  token + position Embedding(64) -> MultiHeadAttention
                       (4 heads, key_dim 16) -> Add -> LayerNormalization ->
                       Dense(128, gelu) -> Dense(64) -> Add ->
                       LayerNormalization -> mean over time -> Dense(2)

Inputs are SEQ_LEN seeded token ids (int32, static batch 1: with a None
batch the converter cannot lower the recurrent layers' tensor lists). Weights are Keras'
random initialisation with a fixed seed per model. The converter decides
how the recurrent layers come out (UNIDIRECTIONAL_SEQUENCE_LSTM, a WHILE
loop or unrolled ops); the report lists the ops of each model.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CACHE, quiet_tensorflow  # noqa: E402
from gen_keras import generate_model, seed_of  # noqa: E402

quiet_tensorflow()
import numpy as np  # noqa: E402

SEQ_LEN = 16
VOCAB = 1000
N_INPUTS = 4
MODELS = ["lstm_classifier", "gru_classifier", "transformer_block"]


def build(tf, name):
    keras = tf.keras
    L = keras.layers
    keras.utils.set_random_seed(seed_of(name))
    tokens = keras.Input(shape=(SEQ_LEN,), batch_size=1, dtype="int32", name="tokens")
    if name in ("lstm_classifier", "gru_classifier"):
        x = L.Embedding(VOCAB, 32)(tokens)
        x = (L.LSTM if name == "lstm_classifier" else L.GRU)(32)(x)
        out = L.Dense(2)(x)
    elif name == "transformer_block":
        d = 64
        x = L.Embedding(VOCAB, d)(tokens)
        pos = L.Embedding(SEQ_LEN, d)(np.arange(SEQ_LEN, dtype=np.int32)[None, :])
        x = x + pos
        a = L.MultiHeadAttention(num_heads=4, key_dim=16)(x, x)
        x = L.LayerNormalization(epsilon=1e-6)(x + a)
        f = L.Dense(128, activation="gelu")(x)
        f = L.Dense(d)(f)
        x = L.LayerNormalization(epsilon=1e-6)(x + f)
        x = L.GlobalAveragePooling1D()(x)
        out = L.Dense(2)(x)
    else:
        raise ValueError(name)
    return keras.Model(tokens, out, name=name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", help="comma-separated subset of: " + ", ".join(MODELS))
    ap.add_argument("--out", default=os.path.join(CACHE, "sequence"))
    args = ap.parse_args()
    names = args.models.split(",") if args.models else MODELS
    if any(n not in MODELS for n in names):
        print("error: unknown model", file=sys.stderr)
        return 2
    from gen_keras import add_litert_spread, variant_done
    if all(variant_done(os.path.join(args.out, n), "float32") for n in names):
        for n in names:  # nothing to convert: TensorFlow need not load
            add_litert_spread(os.path.join(args.out, n), "float32")
        return 0
    import tensorflow as tf
    for name in names:
        rng = np.random.default_rng(seed_of(name + "/test"))
        tests = [[rng.integers(0, VOCAB, size=(1, SEQ_LEN)).astype(np.int32)]
                 for _ in range(N_INPUTS)]
        t0 = time.time()
        n = generate_model(tf, "sequence", name, lambda name=name: build(tf, name),
                           None, tests, None, ["float32"],
                           os.path.join(args.out, name), {"seq_len": SEQ_LEN})
        if n:
            print(f"{name}: {time.time() - t0:.0f}s", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

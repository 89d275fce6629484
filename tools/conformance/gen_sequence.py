#!/usr/bin/env python3
"""Generates the sequence-model conformance cases and their LiteRT
references into .cache/sequence/<model>/ (only what is missing), in the
layout of gen_keras.py (float32 variant; the fused recurrent models below
also dynamic; references from LiteRT's reference kernels, BUILTIN_REF):

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

Fused recurrent ops. Keras 3 lowers LSTM to a WHILE loop; Keras 2
(tf_keras, pinned in scripts/requirements.txt) marks its LSTM layer's
function as a fusable LSTM, and the converter turns it into
UNIDIRECTIONAL_SEQUENCE_LSTM (cell_clip 10, state tensors as variables;
Bidirectional as two of them around REVERSE_V2). These are converted
float32 and dynamic range (int8 weights, asymmetric on-the-fly input
quantization; reference: LiteRT BUILTIN_REF):

    fused_lstm_seq          LSTM(32, return_sequences) on [2, 6, 32] floats
    fused_lstm_last         LSTM(32) (last step: + STRIDED_SLICE)
    fused_lstm_time_major   LSTM(32, time_major, return_sequences) [6, 2, 32]
    fused_lstm_stacked      LSTM(32, seq) -> LSTM(32) -> Dense(4)
    fused_bilstm            Bidirectional(LSTM(32, return_sequences))
    fused_lstm_classifier   Embedding(1000, 32) -> LSTM(32) -> Dense(2)

The converter emits no UNIDIRECTIONAL_SEQUENCE_RNN (SimpleRNN becomes a
WHILE loop), no BIDIRECTIONAL_SEQUENCE_LSTM and no peephole, projection,
CIFG or layer-norm LSTM, so those single-op models are written directly
with TensorFlow's flatbuffer object API (seeded weights; the dynamic
variants with symmetric per-tensor int8 weights, as the converter makes
them), see BUILT:

    op_lstm_peephole_proj   peephole + projection (+ bias), cell and
                            projection clip, batch-major
    op_lstm_cifg_layernorm  CIFG + layer norm, time-major, RELU6 activation
    op_lstm_full            every optional tensor: input gate, peephole,
                            projection, layer norm
    op_lstm_step            LSTM (one step, rank-2 input), peephole
    op_rnn_seq              UNIDIRECTIONAL_SEQUENCE_RNN, tanh, batch-major
    op_rnn_time_major_relu  UNIDIRECTIONAL_SEQUENCE_RNN, RELU, time-major
    op_bilstm_merged        BIDIRECTIONAL_SEQUENCE_LSTM, merged output,
                            time-major, projection on the backward cell
                            (LiteRT wants both directions' n_output equal)
    op_bilstm_split         BIDIRECTIONAL_SEQUENCE_LSTM, two outputs,
                            batch-major, CIFG
    op_birnn_merged         BIDIRECTIONAL_SEQUENCE_RNN, merged output, tanh,
                            6 forward and 4 backward units
    op_birnn_split          BIDIRECTIONAL_SEQUENCE_RNN, two outputs, RELU,
                            time-major (float32 only, see BUILT)

State tensors are variables: LiteRT keeps them across invokes, so the
reference resets them before each input set (gen_keras.litert_child),
which is what a fresh pocketnn run sees.
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
FLOAT_MODELS = ["lstm_classifier", "gru_classifier", "transformer_block"]
FUSED = ["fused_lstm_seq", "fused_lstm_last", "fused_lstm_time_major",
         "fused_lstm_stacked", "fused_bilstm", "fused_lstm_classifier"]
FUSED_VARIANTS = ["float32", "dynamic"]
FEATURES = 32
UNITS = 32
BATCH = 2
STEPS = 6


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


def build_fused(name):
    """A Keras 2 (tf_keras) model whose LSTM layers convert to
    UNIDIRECTIONAL_SEQUENCE_LSTM."""
    import tf_keras as keras
    L = keras.layers
    keras.utils.set_random_seed(seed_of(name))
    if name == "fused_lstm_classifier":
        tokens = keras.Input(shape=(SEQ_LEN,), batch_size=1, dtype="int32")
        x = L.Embedding(VOCAB, 32)(tokens)
        x = L.LSTM(32)(x)
        return keras.Model(tokens, L.Dense(2)(x), name=name)
    if name == "fused_lstm_time_major":
        x_in = keras.Input(shape=(BATCH, FEATURES), batch_size=STEPS)
        y = L.LSTM(UNITS, time_major=True, return_sequences=True)(x_in)
        return keras.Model(x_in, y, name=name)
    x_in = keras.Input(shape=(STEPS, FEATURES), batch_size=BATCH)
    if name == "fused_lstm_seq":
        y = L.LSTM(UNITS, return_sequences=True)(x_in)
    elif name == "fused_lstm_last":
        y = L.LSTM(UNITS)(x_in)
    elif name == "fused_lstm_stacked":
        y = L.LSTM(UNITS, return_sequences=True)(x_in)
        y = L.Dense(4)(L.LSTM(UNITS)(y))
    elif name == "fused_bilstm":
        y = L.Bidirectional(L.LSTM(UNITS, return_sequences=True))(x_in)
    else:
        raise ValueError(name)
    return keras.Model(x_in, y, name=name)


def fused_inputs(name):
    rng = np.random.default_rng(seed_of(name + "/test"))
    if name == "fused_lstm_classifier":
        return [[rng.integers(0, VOCAB, size=(1, SEQ_LEN)).astype(np.int32)]
                for _ in range(N_INPUTS)]
    shape = (STEPS, BATCH, FEATURES) if name == "fused_lstm_time_major" \
        else (BATCH, STEPS, FEATURES)
    return [[rng.uniform(-2, 2, size=shape).astype(np.float32)]
            for _ in range(N_INPUTS)]


# ------------------------------------------------ single-op models, built

# TFLite's LSTM input layout (lstm_shared.h): 0 input, 1-4 input_to_{i,f,c,o}
# weights, 5-8 recurrent_to_{i,f,c,o}, 9-11 cell_to_{i,f,o} (peephole),
# 12-15 gate biases, 16 projection weights, 17 projection bias, 18 output
# state, 19 cell state, 20-23 layer-norm coefficients.
BUILT = {
    # name: op ("uni_lstm", "lstm", "rnn", "bilstm"), sizes and options
    "op_lstm_peephole_proj": dict(op="uni_lstm", n_input=5, n_cell=8, n_output=4,
                                  batch=3, steps=4, peephole=True, proj=True,
                                  proj_bias=True, cell_clip=2.0, proj_clip=0.6),
    "op_lstm_cifg_layernorm": dict(op="uni_lstm", n_input=6, n_cell=7, n_output=7,
                                   batch=2, steps=5, cifg=True, layer_norm=True,
                                   time_major=True, act=3),
    "op_lstm_full": dict(op="uni_lstm", n_input=4, n_cell=9, n_output=5, batch=2,
                         steps=6, peephole=True, proj=True, layer_norm=True),
    "op_lstm_step": dict(op="lstm", n_input=7, n_cell=6, n_output=6, batch=3,
                         steps=1, peephole=True),
    "op_rnn_seq": dict(op="rnn", n_input=6, units=8, batch=2, steps=5, act=4),
    "op_rnn_time_major_relu": dict(op="rnn", n_input=5, units=7, batch=3, steps=4,
                                   act=1, time_major=True),
    "op_bilstm_merged": dict(op="bilstm", n_input=5, n_cell=6, n_output=6, batch=2,
                             steps=4, time_major=True, merge=True, bw_proj=True),
    "op_bilstm_split": dict(op="bilstm", n_input=4, n_cell=5, n_output=5, batch=2,
                            steps=3, cifg=True),
    "op_birnn_merged": dict(op="birnn", n_input=5, units=6, bw_units=4, batch=2,
                            steps=4, act=4, merge=True),
    # float32 only: LiteRT's hybrid time-major BIDIRECTIONAL_SEQUENCE_RNN
    # (bidirectional_sequence_rnn.cc EvalHybrid) nests its step loop in a
    # second loop over time, running the sequence max_time times, so its
    # dynamic output is no reference.
    "op_birnn_split": dict(op="birnn", n_input=3, units=5, bw_units=5, batch=3,
                           steps=3, act=1, time_major=True, variants=["float32"]),
}


class _Graph:
    """A one-subgraph model written with TensorFlow's flatbuffer object API."""

    def __init__(self, S, rng, hybrid):
        self.S, self.rng, self.hybrid = S, rng, hybrid
        self.buffers = [S.BufferT()]
        self.tensors = []

    def tensor(self, name, shape, data=None, variable=False, quantize=False):
        S = self.S
        t = S.TensorT()
        t.name = name.encode()
        t.shape = np.array(shape, dtype=np.int32)
        t.type = S.TensorType.FLOAT32
        t.buffer = 0
        t.isVariable = variable
        if data is not None:
            data = np.asarray(data, dtype=np.float32).reshape(shape)
            if quantize and self.hybrid:
                scale = float(np.max(np.abs(data))) / 127.0 or 1.0
                data = np.clip(np.round(data / scale), -127, 127).astype(np.int8)
                t.type = S.TensorType.INT8
                q = S.QuantizationParametersT()
                q.scale, q.zeroPoint = [scale], [0]
                t.quantization = q
            b = S.BufferT()
            b.data = np.frombuffer(data.tobytes(), dtype=np.uint8)
            self.buffers.append(b)
            t.buffer = len(self.buffers) - 1
        self.tensors.append(t)
        return len(self.tensors) - 1

    def weights(self, name, shape, scale=0.5, quantize=True):
        return self.tensor(name, shape, self.rng.uniform(-scale, scale, shape),
                           quantize=quantize)

    def finish(self, builtin, version, opt_type, opts, inputs, outputs, g_in, g_out):
        S = self.S
        from tensorflow.lite.tools import flatbuffer_utils as fu
        code = S.OperatorCodeT()
        code.builtinCode = builtin
        code.deprecatedBuiltinCode = min(builtin, 127)
        code.version = version
        op = S.OperatorT()
        op.opcodeIndex = 0
        op.inputs = np.array(inputs, dtype=np.int32)
        op.outputs = np.array(outputs, dtype=np.int32)
        op.builtinOptionsType = opt_type
        op.builtinOptions = opts
        sg = S.SubGraphT()
        sg.tensors, sg.operators = self.tensors, [op]
        sg.inputs = np.array(g_in, dtype=np.int32)
        sg.outputs = np.array(g_out, dtype=np.int32)
        sg.name = b"main"
        m = S.ModelT()
        m.version, m.operatorCodes, m.subgraphs = 3, [code], [sg]
        m.buffers = self.buffers
        m.description = b"pocketnn conformance: gen_sequence.py"
        return bytes(fu.convert_object_to_bytearray(m))


def _lstm_cell_inputs(g, p, prefix, n_input, n_output):
    """The 17 weight inputs (TFLite order 1-17) of one LSTM direction, -1
    for absent ones, and the 4 layer-norm inputs."""
    n_cell, cifg = p["n_cell"], p.get("cifg", False)
    gates = "ifco"
    ids = []
    for k in gates:
        ids.append(-1 if cifg and k == "i" else
                   g.weights(f"{prefix}input_to_{k}", [n_cell, n_input]))
    for k in gates:
        ids.append(-1 if cifg and k == "i" else
                   g.weights(f"{prefix}recurrent_to_{k}", [n_cell, n_output]))
    for k in "ifo":
        ids.append(g.weights(f"{prefix}cell_to_{k}", [n_cell])
                   if p.get("peephole") and not (cifg and k == "i") else -1)
    for k in gates:
        # Forget bias around 1, as Keras initialises it.
        lo, hi = (0.5, 1.5) if k == "f" else (-0.3, 0.3)
        ids.append(-1 if cifg and k == "i" else
                   g.tensor(f"{prefix}{k}_bias", [n_cell], g.rng.uniform(lo, hi, n_cell)))
    if p.get("proj"):
        ids.append(g.weights(f"{prefix}projection", [n_output, n_cell]))
        ids.append(g.tensor(f"{prefix}projection_bias", [n_output],
                            g.rng.uniform(-0.2, 0.2, n_output))
                   if p.get("proj_bias") else -1)
    else:
        ids += [-1, -1]
    ln = []
    for k in gates:
        ln.append(g.tensor(f"{prefix}{k}_layer_norm", [n_cell],
                           g.rng.uniform(0.5, 1.5, n_cell))
                  if p.get("layer_norm") and not (cifg and k == "i") else -1)
    return ids, ln


def build_op_model(name, variant):
    """(model bytes, input shape) of one BUILT single-op model."""
    from tensorflow.lite.python import schema_py_generated as S
    p = BUILT[name]
    hybrid = variant == "dynamic"
    g = _Graph(S, np.random.default_rng(seed_of(name + "/weights")), hybrid)
    tm = p.get("time_major", False)
    b, t, n_in = p["batch"], p["steps"], p["n_input"]
    if p["op"] == "lstm":
        in_shape = [b, n_in]
    else:
        in_shape = [t, b, n_in] if tm else [b, t, n_in]
    x = g.tensor("input", in_shape)
    if p["op"] in ("uni_lstm", "lstm"):
        n_out = p["n_output"]
        ids, ln = _lstm_cell_inputs(g, p, "", n_in, n_out)
        h = g.tensor("output_state", [b, n_out], variable=True)
        c = g.tensor("cell_state", [b, p["n_cell"]], variable=True)
        y = g.tensor("output", in_shape[:-1] + [n_out])
        inputs = [x] + ids + [h, c] + (ln if p.get("layer_norm") else [])
        if p["op"] == "lstm":
            o = S.LSTMOptionsT()
            code, otype = S.BuiltinOperator.LSTM, S.BuiltinOptions.LSTMOptions
        else:
            o = S.UnidirectionalSequenceLSTMOptionsT()
            o.timeMajor = tm
            code = S.BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM
            otype = S.BuiltinOptions.UnidirectionalSequenceLSTMOptions
        o.fusedActivationFunction = p.get("act", 4)
        o.cellClip, o.projClip = p.get("cell_clip", 0.0), p.get("proj_clip", 0.0)
        o.asymmetricQuantizeInputs = hybrid
        version = 3 if hybrid else 1
        outputs = [y]
    elif p["op"] == "rnn":
        u = p["units"]
        w = g.weights("input_weights", [u, n_in])
        r = g.weights("recurrent_weights", [u, u], scale=0.4)
        bias = g.tensor("bias", [u], g.rng.uniform(-0.3, 0.3, u))
        h = g.tensor("hidden_state", [b, u], variable=True)
        y = g.tensor("output", in_shape[:-1] + [u])
        inputs, outputs = [x, w, r, bias, h], [y]
        o = S.SequenceRNNOptionsT()
        o.timeMajor = tm
        o.fusedActivationFunction = p["act"]
        o.asymmetricQuantizeInputs = False   # symmetric: the other hybrid path
        code = S.BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_RNN
        otype = S.BuiltinOptions.SequenceRNNOptions
        version = 2 if hybrid else 1
    elif p["op"] == "birnn":
        inputs, outputs = [x], []
        for d, u in (("fw", p["units"]), ("bw", p["bw_units"])):
            inputs += [g.weights(f"{d}_input_weights", [u, n_in]),
                       g.weights(f"{d}_recurrent_weights", [u, u], scale=0.4),
                       g.tensor(f"{d}_bias", [u], g.rng.uniform(-0.3, 0.3, u)),
                       g.tensor(f"{d}_hidden_state", [b, u], variable=True)]
            outputs.append(g.tensor(f"{d}_output", in_shape[:-1] + [u]))
        inputs += [-1, -1, -1]   # no aux input
        if p.get("merge"):
            outputs = [g.tensor("output", in_shape[:-1] +
                                [p["units"] + p["bw_units"]])]
        o = S.BidirectionalSequenceRNNOptionsT()
        o.timeMajor = tm
        o.fusedActivationFunction = p["act"]
        o.mergeOutputs = p.get("merge", False)
        o.asymmetricQuantizeInputs = hybrid
        code = S.BuiltinOperator.BIDIRECTIONAL_SEQUENCE_RNN
        otype = S.BuiltinOptions.BidirectionalSequenceRNNOptions
        version = 3 if hybrid else 1
    else:  # bilstm
        n_out = p["n_output"]
        fw, _ = _lstm_cell_inputs(g, p, "fw_", n_in, n_out)
        bw_p = dict(p, proj=p.get("bw_proj", False))
        bw_out = p.get("bw_n_output", n_out)
        bw, _ = _lstm_cell_inputs(g, bw_p, "bw_", n_in, bw_out)
        states = [g.tensor("fw_output_state", [b, n_out], variable=True),
                  g.tensor("fw_cell_state", [b, p["n_cell"]], variable=True),
                  g.tensor("bw_output_state", [b, bw_out], variable=True),
                  g.tensor("bw_cell_state", [b, p["n_cell"]], variable=True)]
        inputs = [x] + fw + bw + states + [-1] * 9
        if p.get("merge"):
            outputs = [g.tensor("output", in_shape[:-1] + [n_out + bw_out])]
        else:
            outputs = [g.tensor("fw_output", in_shape[:-1] + [n_out]),
                       g.tensor("bw_output", in_shape[:-1] + [bw_out])]
        o = S.BidirectionalSequenceLSTMOptionsT()
        o.fusedActivationFunction = 4
        o.mergeOutputs, o.timeMajor = p.get("merge", False), tm
        o.asymmetricQuantizeInputs = hybrid
        code = S.BuiltinOperator.BIDIRECTIONAL_SEQUENCE_LSTM
        otype = S.BuiltinOptions.BidirectionalSequenceLSTMOptions
        version = 3 if hybrid else 1
    data = g.finish(code, version, otype, o, inputs, outputs, [x], outputs)
    return data, in_shape


def generate_built(name, variant, out_dir):
    """generate_model's counterpart for BUILT models (no conversion)."""
    from gen_keras import GEN_VERSION, litert_reference, save_variant
    from common import write_json
    os.makedirs(out_dir, exist_ok=True)
    meta = {"gen_version": GEN_VERSION, "source": "sequence", "model": name,
            "variant": variant, "n_inputs": N_INPUTS,
            "reference": "LiteRT BUILTIN_REF", "built": "flatbuffer object API"}
    try:
        data, shape = build_op_model(name, variant)
        rng = np.random.default_rng(seed_of(name + "/test"))
        tests = [[rng.uniform(-2, 2, size=shape).astype(np.float32)]
                 for _ in range(N_INPUTS)]
        fed, outs, ops, ind, outd, meta["reference"] = litert_reference(
            data, tests, variant == "dynamic")
        meta.update(ops=ops, inputs=ind, outputs=outd, bytes=len(data))
    except Exception as e:  # recorded, reported as a failure by the check
        meta["error"] = f"{type(e).__name__}: {str(e).strip()[-300:]}"
        write_json(os.path.join(out_dir, variant + ".json"), meta)
        print(f"  {name}/{variant}: ERROR {meta['error']}", file=sys.stderr, flush=True)
        return
    save_variant(out_dir, variant, data, fed, outs, meta)


MODELS = FLOAT_MODELS + FUSED + list(BUILT)


def variants_of(name):
    if name in FLOAT_MODELS:
        return ["float32"]
    return BUILT.get(name, {}).get("variants", FUSED_VARIANTS)


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
    todo = [(n, v) for n in names for v in variants_of(n)
            if not variant_done(os.path.join(args.out, n), v)]
    if not todo:  # nothing to convert: TensorFlow need not load
        for n in names:
            for v in variants_of(n):
                add_litert_spread(os.path.join(args.out, n), v)
        return 0
    import tensorflow as tf
    for name in sorted({n for n, _ in todo}, key=names.index):
        out_dir = os.path.join(args.out, name)
        t0 = time.time()
        if name in BUILT:
            for v in variants_of(name):
                if not variant_done(out_dir, v):
                    generate_built(name, v, out_dir)
            n = 1
        elif name in FUSED:
            n = generate_model(tf, "sequence", name, lambda name=name: build_fused(name),
                               None, fused_inputs(name), None, FUSED_VARIANTS, out_dir,
                               {"seq_len": SEQ_LEN, "keras": "tf_keras"})
        else:
            rng = np.random.default_rng(seed_of(name + "/test"))
            tests = [[rng.integers(0, VOCAB, size=(1, SEQ_LEN)).astype(np.int32)]
                     for _ in range(N_INPUTS)]
            n = generate_model(tf, "sequence", name, lambda name=name: build(tf, name),
                               None, tests, None, ["float32"], out_dir,
                               {"seq_len": SEQ_LEN})
        for v in variants_of(name):
            if variant_done(out_dir, v):
                add_litert_spread(out_dir, v)
        if n:
            print(f"{name}: {time.time() - t0:.0f}s", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

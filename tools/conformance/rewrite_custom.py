"""Rewrites MediaPipe custom ops into TFLite builtins so stock LiteRT can
produce a reference for models that use them.

LiteRT's Python API registers custom ops only through native code:
ai_edge_litert.interpreter.InterpreterWithCustomOps takes
`custom_op_registerers`, C symbol names or callables handed a C++
MutableOpResolver pointer, so a kernel must be a compiled TfLiteRegistration;
MediaPipe's kernels are not in any pinned wheel and cannot be written in
Python. Where a custom op has an exact builtin
equivalent we rewrite the graph instead, with TensorFlow's flatbuffer object
API (tensorflow.lite.python.schema_py_generated):

  Convolution2DTransposeBias(input, weights OHWI, bias[O]) with custom
  options = TfLiteTransposeConvParams {int32 padding (1 SAME, 2 VALID),
  int32 stride_w, int32 stride_h}
  ==  TRANSPOSE_CONV(output_shape, weights, input, bias) (version 3 takes the
  bias), with the output size MediaPipe computes and a builtin padding whose
  offsets equal MediaPipe's (checked per op; otherwise the rewrite refuses).
"""
import struct

import numpy as np

# Schema enums (schema.fbs): Padding SAME=0, VALID=1; TfLitePadding in the
# custom options: 1 = SAME, 2 = VALID.
_SCHEMA_SAME, _SCHEMA_VALID = 0, 1


class RewriteError(Exception):
    pass


def _ceil_div(a, b):
    return -(-a // b)


def _mediapipe_tconv_geometry(padding, stride, in_size, k):
    """Output size and leading pad of MediaPipe's transpose conv (one axis)."""
    total = max(0, k - (in_size - 1) % stride - 1) if padding == 1 else 0
    return stride * (in_size - 1) + k - total, total // 2


def _builtin_tconv_pad(padding, stride, out_size, k):
    """Leading pad TFLite's TRANSPOSE_CONV uses for an output of out_size."""
    if padding == _SCHEMA_VALID:
        return 0
    conv_out = _ceil_div(out_size, stride)
    return max((conv_out - 1) * stride + k - out_size, 0) // 2


def _opcode_index(model, S, builtin, version):
    for i, oc in enumerate(model.operatorCodes):
        code = max(oc.builtinCode, oc.deprecatedBuiltinCode)
        if code == builtin and not oc.customCode:
            oc.version = max(oc.version, version)
            return i
    oc = S.OperatorCodeT()
    oc.builtinCode = builtin
    oc.deprecatedBuiltinCode = min(builtin, 127)
    oc.version = version
    model.operatorCodes.append(oc)
    return len(model.operatorCodes) - 1


def _add_const_int32(model, sg, S, name, values):
    buf = S.BufferT()
    buf.data = np.frombuffer(np.asarray(values, "<i4").tobytes(), np.uint8)
    model.buffers.append(buf)
    t = S.TensorT()
    t.shape = np.array([len(values)], np.int32)
    t.type = S.TensorType.INT32
    t.buffer = len(model.buffers) - 1
    t.name = name.encode()
    sg.tensors.append(t)
    return len(sg.tensors) - 1


def _rewrite_tconv_bias(model, sg, op, S):
    if len(op.inputs) != 3 or len(op.outputs) != 1:
        raise RewriteError("Convolution2DTransposeBias: expected 3 inputs, 1 output")
    raw = bytes(op.customOptions if op.customOptions is not None else b"")
    if len(raw) < 12:
        raise RewriteError(f"Convolution2DTransposeBias: {len(raw)}-byte options")
    padding, stride_w, stride_h = struct.unpack_from("<iii", raw)
    if padding not in (1, 2) or stride_w < 1 or stride_h < 1:
        raise RewriteError(f"Convolution2DTransposeBias: options {padding},{stride_w},{stride_h}")
    x, w, b = (sg.tensors[i] for i in op.inputs)
    n, ih, iw, _ = (int(d) for d in x.shape)
    oc, kh, kw, _ = (int(d) for d in w.shape)
    oh, pad_h = _mediapipe_tconv_geometry(padding, stride_h, ih, kh)
    ow, pad_w = _mediapipe_tconv_geometry(padding, stride_w, iw, kw)
    chosen = None
    for cand in (_SCHEMA_SAME, _SCHEMA_VALID):
        if (_builtin_tconv_pad(cand, stride_h, oh, kh) == pad_h
                and _builtin_tconv_pad(cand, stride_w, ow, kw) == pad_w):
            chosen = cand
            break
    if chosen is None:
        raise RewriteError("Convolution2DTransposeBias: no builtin padding matches")
    shape_t = _add_const_int32(model, sg, S, f"pnn_rewrite/output_shape_{len(sg.tensors)}",
                               [n, oh, ow, oc])
    opts = S.TransposeConvOptionsT()
    opts.padding = chosen
    opts.strideW, opts.strideH = stride_w, stride_h
    opts.fusedActivationFunction = 0
    op.opcodeIndex = _opcode_index(model, S, S.BuiltinOperator.TRANSPOSE_CONV, 3)
    op.inputs = np.array([shape_t, op.inputs[1], op.inputs[0], op.inputs[2]], np.int32)
    op.builtinOptionsType = S.BuiltinOptions.TransposeConvOptions
    op.builtinOptions = opts
    op.customOptions = None


REWRITERS = {"Convolution2DTransposeBias": _rewrite_tconv_bias}
DESCRIPTIONS = {"Convolution2DTransposeBias": "Convolution2DTransposeBias->TRANSPOSE_CONV+bias"}


def custom_ops(model_bytes):
    """Distinct custom op names of a model."""
    from tensorflow.lite.tools import flatbuffer_utils as fu
    model = fu.read_model_from_bytearray(bytearray(model_bytes))
    names = []
    for sg in model.subgraphs:
        for op in sg.operators:
            code = model.operatorCodes[op.opcodeIndex].customCode
            if code:
                names.append(code.decode())
    return sorted(set(names))


def rewrite(model_bytes):
    """Returns (new model bytes, {custom op: count rewritten}); raises
    RewriteError if a custom op has no rewriter."""
    from tensorflow.lite.python import schema_py_generated as S
    from tensorflow.lite.tools import flatbuffer_utils as fu
    model = fu.read_model_from_bytearray(bytearray(model_bytes))
    done = {}
    for sg in model.subgraphs:
        for op in sg.operators:
            code = model.operatorCodes[op.opcodeIndex].customCode
            if not code:
                continue
            name = code.decode()
            if name not in REWRITERS:
                raise RewriteError(f"no builtin rewrite for custom op {name}")
            REWRITERS[name](model, sg, op, S)
            done[name] = done.get(name, 0) + 1
    return bytes(fu.convert_object_to_bytearray(model)), done

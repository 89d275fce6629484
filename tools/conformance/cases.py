"""What a generated single-op test model is.

Each file in tools/conformance/ops/ defines CASES, a list of Case. The
generator (gen_ops.py) traces `fn` with tf.function over TensorSpecs built
from `inputs`, converts it with the TFLite converter, feeds seeded random
inputs to LiteRT and stores model, inputs and LiteRT's outputs in the cache.
Constants created inside `fn` (tf.constant, numpy arrays) become constant
tensors in the model.
"""
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence


@dataclass
class In:
    """One model input: shape, dtype and the range of its random values.

    For integer dtypes values are drawn from [low, high] inclusive; bool
    inputs are fair coin flips. `values` fixes the input instead.
    """
    shape: Sequence[int]
    dtype: str = "float32"
    low: float = -2.0
    high: float = 2.0
    values: Optional[object] = None


@dataclass
class Case:
    name: str                     # unique within its family file
    fn: Callable                  # tf ops over the inputs, returns tensor(s)
    inputs: Sequence[In]
    tol: float = 1e-4             # relative: |ours-ref| <= tol*max(1,max|ref|)
    seed: int = 0
    # Extra converter settings, e.g. {"allow_custom_ops": True}.
    converter: dict = field(default_factory=dict)
    # The op this case is about (for reports), e.g. "CONV_2D".
    op: str = ""
    # Post-training quantization of the converted model (gen_ops.py):
    #   ""        float model (default)
    #   "int8"    full integer: representative dataset of seeded random
    #             inputs, TFLITE_BUILTINS_INT8, int8 model inputs/outputs
    #   "int8f"   the same with float model inputs/outputs (QUANTIZE and
    #             DEQUANTIZE at the edges)
    #   "uint8"   legacy uint8: the per-tensor int8 model with every int8
    #             tensor rewritten to uint8 (zero point and data + 128)
    #   "16x8"    int16 activations, int8 weights
    #             (EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8),
    #             int16 model inputs/outputs
    #   "dynamic" dynamic range: int8 weights, float activations (weights
    #             need >= 1024 elements or the converter keeps them float)
    # Float inputs are quantized with the model's input parameters. Integer
    # outputs of quantized cases pass when exact, or off by one step on at
    # most 0.1% of elements (check_ops.py reports the count).
    quant: str = ""

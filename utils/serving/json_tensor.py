"""TF Serving's JSON mapping (``util/json_tensor.cc``): request bodies -> NumPy inputs, outputs -> JSON.

Row format: ``{"instances": [...]}``, one item per instance (an object of named inputs, or a bare value when
the signature has one input); the batch dimension is added. Columnar: ``{"inputs": ...}``, each input a
whole tensor (the batch dimension included). Strings may be sent as ``{"b64": "..."}``; outputs whose name
ends in ``_bytes`` come back so. NaN and Infinity are accepted in numbers, and written as TF Serving writes
them. Float32 values are written in their shortest exact form (0.1, not 0.10000000149011612).
"""

from __future__ import annotations

import base64
import binascii
import json
import math

import numpy as np
import tensorflow as tf
from tensorflow.core.example import example_pb2, feature_pb2

from utils.serving.errors import ServingError, invalid

ROW, COLUMNAR = "row", "columnar"
_TF_NAMES = {"float32": "float", "float64": "double"}  # TF's DataTypeString spelling
_INT_RANGES = {
    "int8": (-(2**7), 2**7 - 1),
    "uint8": (0, 2**8 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1),
}


def debug(value) -> str:
    text = json.dumps(value)
    return text if len(text) <= 256 else text[:256] + "..."


def json_type(value) -> str:
    if value is None:
        return "Null"
    if value is True or value is False:
        return "True" if value else "False"
    return {dict: "Object", list: "Array", str: "String"}.get(type(value), "Number")


def is_b64(value) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("b64"), str)


def b64decode(value: dict) -> bytes:
    text = value["b64"]
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise invalid("Unable to base64 decode") from None


def parse_body(body: bytes) -> dict:
    if not body:
        raise invalid("JSON Parse error: The document is empty")
    try:
        doc = json.loads(body)
    except UnicodeDecodeError:
        raise invalid("JSON Parse error: Invalid encoding in string (the body must be UTF-8)") from None
    except json.JSONDecodeError as e:
        raise invalid(f"JSON Parse error: {e.msg} at offset: {e.pos}") from None
    except RecursionError:
        raise invalid("JSON Parse error: the document is nested too deeply") from None
    if not isinstance(doc, dict):
        raise invalid(f"JSON Value: {debug(doc)} Is not object")
    return doc


def signature_name(doc: dict) -> str:
    name = doc.get("signature_name", "")
    if not isinstance(name, str):
        raise invalid(
            f"JSON Value: {debug(doc)} not formatted correctly. 'signature_name' key must be a string value."
        )
    return name


# ---- JSON values -> tensors
def _type_error(value, dtype: tf.DType) -> ServingError:
    return invalid(
        f"JSON Value: {debug(value)} Type: {json_type(value)} is not of expected type: "
        f"{_TF_NAMES.get(dtype.name, dtype.name)}"
    )


def _scalar(value, dtype: tf.DType):
    if dtype == tf.string:
        if isinstance(value, str):
            return value.encode()
        if isinstance(value, dict):
            if not is_b64(value):
                raise invalid(f"JSON Value: {debug(value)} not formatted correctly for base64 data")
            return b64decode(value)
        raise _type_error(value, dtype)
    if isinstance(value, bool):
        if dtype == tf.bool:
            return value
        raise _type_error(value, dtype)
    name = dtype.name
    if name in ("float32", "float64"):
        if isinstance(value, (int, float)):
            return value
        raise _type_error(value, dtype)
    if name in _INT_RANGES:
        low, high = _INT_RANGES[name]
        if isinstance(value, int) and low <= value <= high:
            return value
        raise _type_error(value, dtype)
    raise ServingError("UNIMPLEMENTED", f"Conversion of JSON Value: {debug(value)} to type: {name}")


def _dense_shape(value) -> list[int]:
    shape = []
    while isinstance(value, list):
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    return shape


def _fill(value, level: int, shape: list[int], dtype: tf.DType, out: list) -> None:
    if not isinstance(value, list):
        if level != len(shape):
            raise invalid(
                f"JSON Value: {debug(value)} found at incorrect level: {level + 1} in the JSON DOM. "
                f"Expected at level: {len(shape)}"
            )
        out.append(_scalar(value, dtype))
        return
    if level >= len(shape):
        raise invalid(f"Encountered list at unexpected level: {level} expected < {len(shape)}")
    if len(value) != shape[level]:
        raise invalid(
            f"Encountered list at unexpected size: {len(value)} at level: {level} expected size: "
            f"{shape[level]}"
        )
    for item in value:
        _fill(item, level + 1, shape, dtype, out)


def to_array(value, dtype: tf.DType) -> np.ndarray:
    """A JSON value (nested lists of one type) -> an ndarray of ``dtype``, shape from the nesting."""
    shape, flat = _dense_shape(value), []
    _fill(value, 0, shape, dtype, flat)
    return _array(flat, dtype, shape)


def _array(flat: list, dtype: tf.DType, shape: list[int]) -> np.ndarray:
    if dtype == tf.string:
        array = np.empty(len(flat), dtype=object)
        array[:] = flat
        return array.reshape(shape)
    return np.array(flat, dtype=dtype.as_numpy_dtype).reshape(shape)


def _is_element_object(value) -> bool:
    return isinstance(value, dict) and not is_b64(value)


def _rows(instances: list, infos: dict) -> dict:
    if not isinstance(instances[0], dict) and len(infos) > 1:
        raise invalid(
            "instances is a plain list, but expecting list of objects as multiple input tensors "
            "required as per tensorinfo_map"
        )
    objects = _is_element_object(instances[0])
    names = sorted(infos)
    columns: dict[str, list] = {name: [] for name in names}
    for i, item in enumerate(instances):
        if objects:
            if not _is_element_object(item):
                raise invalid(f"Expecting object but got list at item {i} of input list")
            for key, value in item.items():
                if key not in infos:
                    raise invalid(
                        f"Failed to process element: {i} key: {key} of 'instances' list. Error: "
                        f"JSON object: does not have named input: {key}"
                    )
                columns[key].append(value)
            if set(item) != set(names):
                raise invalid(
                    f"Failed to process element: {i} of 'instances' list. JSON object: {debug(item)} "
                    f"keys must be equal to: {','.join(names)}"
                )
        else:
            if _is_element_object(item):
                raise invalid(f"Expecting value/list but got object at item {i} of input list")
            columns[names[0]].append(item)
    arrays = {}
    for name, values in columns.items():
        dtype = infos[name]
        where, parts = (f" key: {name}" if objects else ""), []
        if not any(isinstance(value, list) for value in values):  # one value per instance: the fast path
            flat = []
            for i, value in enumerate(values):
                try:
                    flat.append(_scalar(value, dtype))
                except ServingError as e:
                    raise ServingError(
                        e.code,
                        f"Failed to process element: {i}{where} of 'instances' list. Error: {e.message}",
                    ) from None
            arrays[name] = _array(flat, dtype, [len(flat)])
            continue
        for i, value in enumerate(values):
            try:
                part = to_array(value, dtype)
            except ServingError as e:
                raise ServingError(
                    e.code, f"Failed to process element: {i}{where} of 'instances' list. Error: {e.message}"
                ) from None
            if parts and part.shape != parts[0].shape:
                raise invalid(
                    f"Failed to process element: {i}{where} of 'instances' list. Error: "
                    f"Expecting shape {list(parts[0].shape)} but got: {list(part.shape)}"
                )
            parts.append(part)
        arrays[name] = np.stack(parts)
    return arrays


def _columns(value, infos: dict) -> dict:
    if not isinstance(value, dict) or is_b64(value):
        if len(infos) > 1:
            raise invalid(
                "inputs is a plain value/list, but expecting an object as multiple input tensors "
                "required as per tensorinfo_map"
            )
        ((name, dtype),) = infos.items()
        return {name: to_array(value, dtype)}
    arrays = {}
    for name, dtype in infos.items():
        if name not in value:
            raise invalid(f"Missing named input: {name} in 'inputs' object.")
        arrays[name] = to_array(value[name], dtype)
    return arrays


def predict_inputs(doc: dict, infos: dict, signature: str) -> tuple[dict, str]:
    """A predict body and the signature's input dtypes ({alias: tf.DType}) -> ({alias: ndarray}, ROW or
    COLUMNAR)."""
    if not infos:
        raise invalid(f"Failed to get input map for signature: {signature or 'DEFAULT'}")
    if "instances" in doc and "inputs" in doc:
        raise invalid(
            f"JSON Value: {debug(doc)} Not formatted correctly expecting only one of 'inputs' or "
            "'instances' keys to exist "
        )
    if "instances" in doc:
        instances = doc["instances"]
        if not isinstance(instances, list):
            raise invalid(f"JSON Value: {debug(doc)} Expecting 'instances' to be an list/array")
        if not instances:
            raise invalid(f"JSON Value: {debug(doc)} No values in 'instances' array")
        return _rows(instances, infos), ROW
    if "inputs" in doc:
        return _columns(doc["inputs"], infos), COLUMNAR
    raise invalid("Missing 'inputs' or 'instances' key")


# ---- tensors -> JSON values
def _nested(values, fn):
    return [_nested(v, fn) for v in values] if isinstance(values, list) else fn(values)


def _text(value: bytes):
    try:
        return value.decode()
    except UnicodeDecodeError:  # not text: TF Serving would write invalid JSON; base64 keeps it valid
        return {"b64": base64.b64encode(value).decode()}


def json_value(name: str, array: np.ndarray):
    """An output tensor (or one instance of it) -> JSON-ready Python values."""
    array = np.asarray(array)
    if array.dtype == np.float32:
        return array.astype(str).astype(np.float64).tolist()  # shortest form that reads back exactly
    if array.dtype.kind in "SO":
        if name.endswith("_bytes"):
            return _nested(array.tolist(), lambda v: {"b64": base64.b64encode(v).decode()})
        return _nested(array.tolist(), _text)
    if array.dtype.kind in "fiub":
        return array.tolist()
    raise invalid(f"Failed to write JSON value for tensor type: {array.dtype}")


def predict_response(outputs: dict, fmt: str) -> dict:
    if not outputs:
        raise invalid("Cannot convert empty tensor map to JSON")
    if fmt == COLUMNAR:
        if len(outputs) == 1:
            ((name, array),) = outputs.items()
            return {"outputs": json_value(name, array)}
        return {"outputs": {name: json_value(name, array) for name, array in outputs.items()}}
    batch = None
    for name, array in outputs.items():
        if np.ndim(array) == 0:
            raise invalid(f"Tensor name: {name} has no shape information ")
        if batch is not None and array.shape[0] != batch:
            raise invalid(
                f"Tensor name: {name} has inconsistent batch size: {array.shape[0]} expecting: {batch}"
            )
        batch = array.shape[0]
    columns = {name: json_value(name, array) for name, array in outputs.items()}
    if len(columns) == 1:
        return {"predictions": next(iter(columns.values()))}
    return {"predictions": [{name: column[i] for name, column in columns.items()} for i in range(batch)]}


def dumps(payload: dict) -> bytes:
    return json.dumps(payload, allow_nan=True).encode()


def score(value: float) -> float:
    """A float32 score as TF Serving writes it (shortest exact form)."""
    return float(str(np.float32(value))) if math.isfinite(value) else value


# ---- classify / regress bodies -> tf.Examples
def _add_to_feature(value, name: str, feature: feature_pb2.Feature) -> None:
    kind = feature.WhichOneof("kind")

    def need(wanted: str) -> None:
        if kind not in (None, wanted):
            raise invalid(
                f"Unexpected element type in feature: {name} expecting type: {kind.removesuffix('_list')}"
            )

    if isinstance(value, bool):
        need("int64_list")
        feature.int64_list.value.append(int(value))
    elif isinstance(value, str) or is_b64(value):
        need("bytes_list")
        feature.bytes_list.value.append(value.encode() if isinstance(value, str) else b64decode(value))
    elif isinstance(value, float):
        need("float_list")
        feature.float_list.value.append(value)
    elif isinstance(value, int):
        need("int64_list")
        if not _INT_RANGES["int64"][0] <= value <= _INT_RANGES["int64"][1]:
            raise invalid(f"Feature: {name} has uint64_t element. Only int64_t is supported.")
        feature.int64_list.value.append(value)
    else:
        raise invalid(f"Feature: {name} has element with unexpected JSON type: {json_type(value)}")


def example_from_json(value) -> example_pb2.Example:
    """{"feature": value or [values]} -> tf.Example (ints -> int64_list, decimals -> float_list, strings and
    {"b64": ...} -> bytes_list, booleans -> 0/1), as TF Serving builds them."""
    if not isinstance(value, dict):
        raise invalid(f"Example must be JSON object but got JSON {json_type(value)}")
    example = example_pb2.Example()
    for name, content in value.items():
        feature = feature_pb2.Feature()
        for item in content if isinstance(content, list) else [content]:
            _add_to_feature(item, name, feature)
        example.features.feature[name].CopyFrom(feature)
    return example


def examples_from_body(doc: dict, method: str) -> list[bytes]:
    """A classify/regress body -> serialized tf.Examples (the optional "context" merged into each)."""
    context = example_from_json(doc["context"]) if "context" in doc else None
    if "examples" not in doc:
        raise invalid(
            f"JSON Value: {debug(doc)} When method is {method}, key 'examples' is expected and was not found"
        )
    examples = doc["examples"]
    if not isinstance(examples, list):
        raise invalid(f"JSON Value: {debug(doc)} Expecting 'examples' value to be an list/array")
    if not examples:
        raise invalid(f"JSON Value: {debug(doc)} 'examples' value is an empty array")
    serialized = []
    for item in examples:
        example = example_from_json(item)
        if context is not None:
            merged = example_pb2.Example()
            merged.CopyFrom(context)
            merged.MergeFrom(example)
            example = merged
        serialized.append(example.SerializeToString())
    return serialized


def classify_response(results: list) -> dict:
    return {
        "results": [
            [[_text(label) if isinstance(label, bytes) else label, score(s)] for label, s in row]
            for row in results
        ]
    }


def regress_response(values: list) -> dict:
    return {"results": [score(v) for v in values]}

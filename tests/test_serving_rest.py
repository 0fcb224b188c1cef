# ruff: noqa: F811 - pytest fixtures imported from tests/serving_testing.py are redefined as arguments
"""The model server's REST API against TF Serving's specification (g3doc/api_rest.md and the handler's code):
every route, both request formats, b64, and every error case with its status and ``{"error": ...}`` body.
Answers are compared with the SavedModel called in-process."""

import base64
import json
import math

import numpy as np
import pytest

from tests.penguin_model import SERVING, raw_inputs, read_penguins, serialized
from tests.serving_testing import (  # noqa: F401 - fixtures
    http,
    penguin_savedmodel,
    raw_instance,
    served_penguins,
    server,
    tiny_savedmodel,
)
from utils.tfx_modules.trainer import model_settings as settings
from utils.tfx_modules.trainer import penguin_trainer as module

PENGUINS = read_penguins(SERVING, every=10)[:5]


def get(server, path):
    return http("GET", server.rest_url + path)


def post(server, path, body=None, raw=None):
    return http("POST", server.rest_url + path, body=body, raw=raw)


def expected_raw(served, penguins):
    outputs = served.signatures[settings.RAW_SIGNATURE](**raw_inputs(penguins))
    return {k: v.numpy() for k, v in outputs.items()}


def b64(data: bytes) -> dict:
    return {"b64": base64.b64encode(data).decode()}


# ---- status and metadata
def test_status_lists_every_version_newest_first(server):
    status, body = get(server, "/v1/models/penguins")
    assert status == 200
    assert body == {
        "model_version_status": [
            {"version": v, "state": "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}}
            for v in ("2", "1")
        ]
    }


@pytest.mark.parametrize(
    "path, version",
    [("/versions/1", "1"), ("/labels/stable", "1"), ("/labels/canary", "2"), ("/LABELS/canary", "2")],
)
def test_status_of_one_version_or_label(server, path, version):
    status, body = get(server, "/v1/models/penguins" + path)
    assert status == 200 and [s["version"] for s in body["model_version_status"]] == [version]


def test_metadata_is_the_signature_def_map_as_tf_serving_writes_it(server):
    status, body = get(server, "/v1/models/penguins/metadata")
    assert status == 200
    assert body["model_spec"] == {"name": "penguins", "version": "2", "signature_name": ""}
    signatures = body["metadata"]["signature_def"]["signature_def"]
    assert {settings.EXAMPLES_SIGNATURE, settings.RAW_SIGNATURE} <= set(signatures)
    default = signatures[settings.EXAMPLES_SIGNATURE]
    assert default["method_name"] == "tensorflow/serving/predict"
    examples = default["inputs"][settings.EXAMPLES_INPUT]
    assert examples["dtype"] == "DT_STRING"
    assert examples["tensor_shape"] == {"dim": [{"size": "-1", "name": ""}], "unknown_rank": False}
    assert set(signatures[settings.RAW_SIGNATURE]["inputs"]) == set(module.RAW_FEATURES)
    assert set(default["outputs"]) == {settings.PROBABILITIES, settings.CLASS_IDS, settings.CLASSES}


@pytest.mark.parametrize(
    "path, version",
    [("/versions/1/metadata", "1"), ("/labels/stable/metadata", "1"), ("/labels/canary/metadata", "2")],
)
def test_metadata_of_a_version_or_label(server, path, version):
    status, body = get(server, "/v1/models/penguins" + path)
    assert status == 200 and body["model_spec"]["version"] == version


# ---- predict
def test_row_format_answers_a_dict_per_instance_equal_to_the_savedmodel(server, served_penguins):
    body = {"signature_name": settings.RAW_SIGNATURE, "instances": [raw_instance(p) for p in PENGUINS]}
    status, answer = post(server, "/v1/models/penguins:predict", body)
    assert status == 200 and list(answer) == ["predictions"]
    expected = expected_raw(served_penguins, PENGUINS)
    predictions = answer["predictions"]
    assert len(predictions) == len(PENGUINS)
    np.testing.assert_allclose(
        [p[settings.PROBABILITIES] for p in predictions], expected[settings.PROBABILITIES], rtol=1e-6
    )
    assert [p[settings.CLASS_IDS] for p in predictions] == expected[settings.CLASS_IDS].tolist()
    assert [p[settings.CLASSES] for p in predictions] == [c.decode() for c in expected[settings.CLASSES]]


def test_columnar_format_answers_whole_tensors(server, served_penguins):
    columns = {name: [raw_instance(p)[name] for p in PENGUINS] for name in module.RAW_FEATURES}
    status, answer = post(
        server, "/v1/models/penguins:predict", {"signature_name": settings.RAW_SIGNATURE, "inputs": columns}
    )
    assert status == 200 and list(answer) == ["outputs"]
    expected = expected_raw(served_penguins, PENGUINS)
    np.testing.assert_allclose(
        answer["outputs"][settings.PROBABILITIES], expected[settings.PROBABILITIES], rtol=1e-6
    )
    assert answer["outputs"][settings.CLASS_IDS] == expected[settings.CLASS_IDS].tolist()


def test_serialized_examples_go_as_b64_in_both_formats_to_the_default_signature(server, served_penguins):
    encoded = [b64(serialized(p)) for p in PENGUINS]
    expected = expected_raw(served_penguins, PENGUINS)[settings.PROBABILITIES]
    for body in (
        {"instances": encoded},
        {"instances": [{"examples": e} for e in encoded]},
        {"inputs": encoded},
        {"inputs": {"examples": encoded}},
    ):
        status, answer = post(server, "/v1/models/penguins:predict", body)
        assert status == 200, answer
        rows = answer.get("predictions") or []
        probabilities = (
            [r[settings.PROBABILITIES] for r in rows] if rows else answer["outputs"][settings.PROBABILITIES]
        )
        np.testing.assert_allclose(probabilities, expected, rtol=1e-6)


def test_nan_marks_a_missing_number_and_the_answer_is_finite(server, served_penguins):
    penguin = {**PENGUINS[0], "body_mass_g": None, "sex": None}
    text = json.dumps({"signature_name": settings.RAW_SIGNATURE, "instances": [raw_instance(penguin)]})
    assert "NaN" in text  # what the client sends
    status, answer = post(server, "/v1/models/penguins:predict", raw=text.encode())
    assert status == 200
    probabilities = answer["predictions"][0][settings.PROBABILITIES]
    np.testing.assert_allclose(
        probabilities, expected_raw(served_penguins, [penguin])[settings.PROBABILITIES][0], rtol=1e-6
    )


@pytest.mark.parametrize("path", ["/versions/1", "/labels/stable", "/labels/canary", "/Versions/2"])
def test_predict_on_a_version_or_label(server, path):
    status, answer = post(
        server,
        f"/v1/models/penguins{path}:predict",
        {"signature_name": settings.RAW_SIGNATURE, "instances": [raw_instance(PENGUINS[0])]},
    )
    assert status == 200 and len(answer["predictions"]) == 1


def test_single_output_bytes_outputs_ints_and_float32_as_tf_serving_writes_them(server):
    status, answer = post(
        server,
        "/v1/models/tiny:predict",
        raw=b'{"instances": [{"x": 0.1, "tag": {"b64": "AAE="}}, {"x": Infinity, "tag": "t"}]}',
    )
    assert status == 200
    assert answer == {
        "predictions": [
            {"y": 1.2, "tag_bytes": {"b64": "AAE="}, "count": 2},
            {"y": math.inf, "tag_bytes": {"b64": "dA=="}, "count": 2},
        ]
    }
    status, answer = post(
        server, "/v1/models/tiny:predict", {"signature_name": "pairs", "instances": [[1, 2.5]]}
    )
    assert answer == {"predictions": [3.5]}, "one output: the value itself, not a dict"
    status, answer = post(server, "/v1/models/tiny:predict", {"signature_name": "pairs", "inputs": [[1, 2]]})
    assert answer == {"outputs": [3.0]}


# ---- classify and regress
def test_classify_answers_label_score_pairs_per_example(server):
    status, answer = post(
        server,
        "/v1/models/tiny:classify",
        {"signature_name": "classify_x", "examples": [{"x": 0.0}, {"x": [2.0]}]},
    )
    assert status == 200
    assert answer == {"results": [[["pos", 0.5], ["neg", 0.5]], [["pos", 0.8807971], ["neg", 0.11920291]]]}


def test_regress_answers_one_value_per_example_and_context_is_shared(server):
    status, answer = post(
        server,
        "/v1/models/tiny/versions/1:regress",
        {"signature_name": "regress_x", "examples": [{"x": 1.5}, {"x": -1.0}]},
    )
    assert status == 200 and answer == {"results": [4.0, -1.0]}
    status, answer = post(
        server,
        "/v1/models/tiny:regress",
        {"signature_name": "regress_x", "context": {"x": 2.0}, "examples": [{}, {"x": 0.5}]},
    )
    assert status == 200 and answer == {"results": [5.0, 2.0]}


# ---- errors: status, and {"error": message}
MODEL = "/v1/models/penguins"
RAW = {"signature_name": settings.RAW_SIGNATURE}
ERRORS = [
    # (method, path, body (dict, or raw bytes), HTTP status, words the message contains)
    (
        "POST",
        "/v1/models/nope:predict",
        {"instances": [1]},
        404,
        "Servable not found for request: Latest(nope)",
    ),
    ("POST", MODEL + "/versions/7:predict", {"instances": [1]}, 404, "Specific(penguins, 7)"),
    (
        "POST",
        MODEL + "/labels/beta:predict",
        {"instances": [1]},
        400,
        "Unrecognized servable version label: beta",
    ),
    ("GET", "/v1/models/nope", None, 404, "Could not find any versions of model nope"),
    ("GET", MODEL + "/versions/7", None, 404, "Could not find version 7 of model penguins"),
    ("GET", MODEL + "/labels/beta", None, 400, "Unrecognized servable version label: beta"),
    ("GET", "/v1/models/nope/metadata", None, 404, "Servable not found for request: Latest(nope)"),
    ("GET", "/v1/models", None, 400, "Missing model name in request."),
    ("GET", MODEL + "/versions/99999999999999999999", None, 400, "Failed to convert version"),
    ("POST", MODEL + ":explain", {}, 400, "Malformed request: POST /v1/models/penguins:explain"),
    ("PUT", MODEL + ":predict", {}, 400, "Malformed request: PUT"),
    ("GET", "/v2/models/penguins", None, 404, "/v1/models/"),
    (
        "POST",
        MODEL + ":predict",
        {"signature_name": "nope", "instances": [1]},
        400,
        'Serving signature name: "nope" not found in signature def',
    ),
    ("POST", MODEL + ":predict", b'{"instances": [', 400, "JSON Parse error"),
    ("POST", MODEL + ":predict", b"", 400, "JSON Parse error: The document is empty"),
    ("POST", MODEL + ":predict", b"[1, 2]", 400, "Is not object"),
    ("POST", MODEL + ":predict", b'{"instances": ["\xff"]}', 400, "JSON Parse error"),
    (
        "POST",
        MODEL + ":predict",
        {"signature_name": 3, "instances": [1]},
        400,
        "'signature_name' key must be a string",
    ),
    (
        "POST",
        MODEL + ":predict",
        {"instances": [], "inputs": []},
        400,
        "expecting only one of 'inputs' or 'instances'",
    ),
    ("POST", MODEL + ":predict", {"examples": []}, 400, "Missing 'inputs' or 'instances' key"),
    ("POST", MODEL + ":predict", {"instances": {"a": 1}}, 400, "Expecting 'instances' to be an list/array"),
    ("POST", MODEL + ":predict", {"instances": []}, 400, "No values in 'instances' array"),
    ("POST", MODEL + ":predict", {"instances": [{"b64": "%%%"}]}, 400, "Unable to base64 decode"),
    (
        "POST",
        MODEL + ":predict",
        {"inputs": {"examples": [{"b64": 3}]}},
        400,
        "not formatted correctly for base64 data",
    ),
    ("POST", MODEL + ":predict", {"instances": [{"b64": 3}]}, 400, "does not have named input: b64"),
    ("POST", MODEL + ":predict", {"instances": [3.5]}, 400, "is not of expected type: string"),
    ("POST", MODEL + ":predict", {**RAW, "instances": [1.0, 2.0]}, 400, "instances is a plain list"),
    ("POST", MODEL + ":predict", {**RAW, "instances": [{"island": "Biscoe"}]}, 400, "keys must be equal to"),
    (
        "POST",
        MODEL + ":predict",
        {**RAW, "instances": [{"wings": 2}]},
        400,
        "does not have named input: wings",
    ),
    ("POST", MODEL + ":predict", {**RAW, "inputs": {"island": ["Biscoe"]}}, 400, "Missing named input"),
    ("POST", MODEL + ":predict", {**RAW, "inputs": [1.0]}, 400, "inputs is a plain value/list"),
    (
        "POST",
        "/v1/models/tiny:predict",
        {"instances": [{"x": "heavy", "tag": "a"}]},
        400,
        "is not of expected type: float",
    ),
    ("POST", "/v1/models/tiny:predict", {"instances": [{"x": True, "tag": "a"}]}, 400, "Type: True"),
    ("POST", "/v1/models/tiny:predict", {"instances": [{"x": None, "tag": "a"}]}, 400, "Type: Null"),
    (
        "POST",
        "/v1/models/tiny:predict",
        {"inputs": {"x": [[1.0]], "tag": ["a"]}},
        400,
        "the signature expects shape [-1]",
    ),
    (
        "POST",
        "/v1/models/tiny:predict",
        {"signature_name": "pairs", "instances": [[1, 2, 3]]},
        400,
        "the signature expects shape [-1,2]",
    ),
    (
        "POST",
        "/v1/models/tiny:predict",
        {"signature_name": "pairs", "instances": [[1, 2], [3]]},
        400,
        "Expecting shape [2] but got: [1]",
    ),
    (
        "POST",
        "/v1/models/tiny:predict",
        {"signature_name": "pairs", "inputs": [[1, 2], [3]]},
        400,
        "Encountered list at unexpected size: 1",
    ),
    (
        "POST",
        "/v1/models/tiny:predict",
        {"signature_name": "pairs", "inputs": [[1, [2]]]},
        400,
        "Encountered list at unexpected level",
    ),
    (
        "POST",
        MODEL + ":classify",
        {"examples": [{"x": 1.0}]},
        400,
        "Expected classification signature method_name to be tensorflow/serving/classify",
    ),
    (
        "POST",
        "/v1/models/tiny:regress",
        {"signature_name": "classify_x", "examples": [{"x": 1.0}]},
        400,
        "Expected regression signature method_name to be tensorflow/serving/regress",
    ),
    ("POST", "/v1/models/tiny:classify", {"signature_name": "classify_x"}, 400, "key 'examples' is expected"),
    (
        "POST",
        "/v1/models/tiny:classify",
        {"signature_name": "classify_x", "examples": []},
        400,
        "'examples' value is an empty array",
    ),
    (
        "POST",
        "/v1/models/tiny:classify",
        {"signature_name": "classify_x", "examples": {"x": 1}},
        400,
        "Expecting 'examples' value to be an list/array",
    ),
    (
        "POST",
        "/v1/models/tiny:classify",
        {"signature_name": "classify_x", "examples": [3]},
        400,
        "Example must be JSON object",
    ),
    (
        "POST",
        "/v1/models/tiny:classify",
        {"signature_name": "classify_x", "examples": [{"x": [1.0, "a"]}]},
        400,
        "Unexpected element type in feature: x",
    ),
    (
        "POST",
        "/v1/models/tiny:classify",
        {"signature_name": "classify_x", "examples": [{"x": [[1.0]]}]},
        400,
        "has element with unexpected JSON type: Array",
    ),
    (
        "POST",
        "/v1/models/tiny:classify",
        {"signature_name": "nope", "examples": [{"x": 1.0}]},
        400,
        "No signature was found with the name: nope",
    ),
]


@pytest.mark.parametrize(
    "method, path, body, status, words", ERRORS, ids=[f"{e[0]} {e[1]} {str(e[2])[:40]}" for e in ERRORS]
)
def test_errors_answer_tf_servings_status_and_an_error_object(server, method, path, body, status, words):
    raw = body if isinstance(body, bytes) else None
    got, answer = http(method, server.rest_url + path, body=None if raw is not None else body, raw=raw)
    assert got == status, answer
    assert list(answer) == ["error"] and isinstance(answer["error"], str)
    assert words in answer["error"]


def test_an_oversized_body_is_refused_with_413_and_the_server_keeps_serving(server):
    big = b'{"instances": ["' + b"a" * (9 * 1024 * 1024) + b'"]}'
    status, answer = post(server, MODEL + ":predict", raw=big)
    assert status == 413 and "--max_request_bytes" in answer["error"]
    assert get(server, MODEL)[0] == 200

# ruff: noqa: F811 - pytest fixtures imported from tests/serving_testing.py are redefined as arguments
"""The model server's gRPC API through the official stubs of tensorflow-serving-api, as a client written for
TF Serving uses them: PredictionService (Predict, Classify, Regress, GetModelMetadata) and ModelService
(GetModelStatus, HandleReloadConfigRequest), errors as TF Serving's status codes."""

import grpc
import numpy as np
import pytest
import tensorflow as tf
from google.protobuf import text_format
from tensorflow_serving.apis import (
    classification_pb2,
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_management_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
    regression_pb2,
)
from tensorflow_serving.config import model_server_config_pb2

from tests.penguin_model import SERVING, raw_inputs, read_penguins, serialized
from tests.serving_testing import (  # noqa: F401 - fixtures
    config_text,
    example,
    http,
    penguin_savedmodel,
    served_penguins,
    server,
    server_root,
    tiny_savedmodel,
)
from utils.tfx_modules.trainer import model_settings as settings

PENGUINS = read_penguins(SERVING, every=10)[:4]


@pytest.fixture(scope="module")
def channel(server):
    with grpc.insecure_channel(server.grpc_target) as channel:
        yield channel


@pytest.fixture(scope="module")
def stub(channel):
    return prediction_service_pb2_grpc.PredictionServiceStub(channel)


@pytest.fixture(scope="module")
def models(channel):
    return model_service_pb2_grpc.ModelServiceStub(channel)


def predict_request(name="penguins", signature=settings.EXAMPLES_SIGNATURE, **inputs):
    request = predict_pb2.PredictRequest()
    request.model_spec.name = name
    request.model_spec.signature_name = signature
    for alias, value in inputs.items():
        request.inputs[alias].CopyFrom(tf.make_tensor_proto(value))
    return request


def test_predict_with_serialized_examples_equals_the_savedmodel(stub, served_penguins):
    request = predict_request(examples=[serialized(p) for p in PENGUINS])
    response = stub.Predict(request, timeout=30)
    assert response.model_spec.name == "penguins" and response.model_spec.version.value == 2
    assert response.model_spec.signature_name == settings.EXAMPLES_SIGNATURE
    probabilities = tf.make_ndarray(response.outputs[settings.PROBABILITIES])
    expected = served_penguins.signatures[settings.RAW_SIGNATURE](**raw_inputs(PENGUINS))
    np.testing.assert_allclose(probabilities, expected[settings.PROBABILITIES].numpy(), rtol=1e-6)
    assert [c.decode() for c in tf.make_ndarray(response.outputs[settings.CLASSES])] == [
        c.decode() for c in expected[settings.CLASSES].numpy()
    ]


def test_predict_raw_features_on_a_label_with_an_output_filter(stub):
    inputs = {k: v.numpy() for k, v in raw_inputs(PENGUINS).items()}
    request = predict_request(signature=settings.RAW_SIGNATURE, **inputs)
    request.model_spec.version_label = "stable"
    request.output_filter.append(settings.CLASS_IDS)
    response = stub.Predict(request, timeout=30)
    assert response.model_spec.version.value == 1
    assert list(response.outputs) == [settings.CLASS_IDS]
    assert tf.make_ndarray(response.outputs[settings.CLASS_IDS]).shape == (len(PENGUINS),)


def test_classify_and_regress_with_examples_and_a_context(stub):
    request = classification_pb2.ClassificationRequest()
    request.model_spec.name, request.model_spec.signature_name = "tiny", "classify_x"
    request.input.example_list.examples.add().CopyFrom(example(x=0.0))
    response = stub.Classify(request, timeout=30)
    assert [(c.label, round(c.score, 4)) for c in response.result.classifications[0].classes] == [
        ("pos", 0.5),
        ("neg", 0.5),
    ]
    assert response.model_spec.version.value == 1

    request = regression_pb2.RegressionRequest()
    request.model_spec.name, request.model_spec.signature_name = "tiny", "regress_x"
    request.input.example_list_with_context.context.CopyFrom(example(x=2.0))
    request.input.example_list_with_context.examples.add()
    request.input.example_list_with_context.examples.add().CopyFrom(example(x=0.5))
    response = stub.Regress(request, timeout=30)
    assert [r.value for r in response.result.regressions] == [5.0, 2.0]


def test_model_metadata_holds_the_signature_def_map(stub):
    request = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=["signature_def"])
    request.model_spec.name = "penguins"
    response = stub.GetModelMetadata(request, timeout=30)
    signatures = get_model_metadata_pb2.SignatureDefMap()
    response.metadata["signature_def"].Unpack(signatures)
    assert response.model_spec.version.value == 2
    assert {settings.EXAMPLES_SIGNATURE, settings.RAW_SIGNATURE} <= set(signatures.signature_def)
    inputs = signatures.signature_def[settings.EXAMPLES_SIGNATURE].inputs
    assert inputs[settings.EXAMPLES_INPUT].dtype == tf.string.as_datatype_enum


def test_model_status_for_the_model_and_for_a_label(models):
    request = get_model_status_pb2.GetModelStatusRequest()
    request.model_spec.name = "penguins"
    response = models.GetModelStatus(request, timeout=30)
    available = get_model_status_pb2.ModelVersionStatus.AVAILABLE
    assert [(s.version, s.state) for s in response.model_version_status] == [(2, available), (1, available)]
    request.model_spec.version_label = "canary"
    assert [s.version for s in models.GetModelStatus(request, timeout=30).model_version_status] == [2]


def test_reloading_the_config_moves_a_label(server, models):
    """Rolling back a canary: the label points at another version, no restart (HandleReloadConfigRequest)."""
    root = server_root(server)

    def reload(canary: int) -> None:
        config = text_format.Parse(config_text(root), model_server_config_pb2.ModelServerConfig())
        config.model_config_list.config[0].version_labels["canary"] = canary
        response = models.HandleReloadConfigRequest(
            model_management_pb2.ReloadConfigRequest(config=config), timeout=60
        )
        assert response.status.error_code == 0

    try:
        reload(canary=1)
        status, body = http("GET", server.rest_url + "/v1/models/penguins/labels/canary/metadata")
        assert status == 200 and body["model_spec"]["version"] == "1"
    finally:
        reload(canary=2)
    status, body = http("GET", server.rest_url + "/v1/models/penguins/labels/canary/metadata")
    assert body["model_spec"]["version"] == "2"


def wrong(call, request, code, words):
    with pytest.raises(grpc.RpcError) as error:
        call(request, timeout=30)
    assert error.value.code() == code, error.value.details()
    assert words in error.value.details()


def test_errors_come_back_as_tf_servings_status_codes(stub, models):
    examples = [serialized(PENGUINS[0])]
    wrong(
        stub.Predict,
        predict_request("nope", examples=examples),
        grpc.StatusCode.NOT_FOUND,
        "Servable not found for request: Latest(nope)",
    )
    request = predict_request(examples=examples)
    request.model_spec.version.value = 9
    wrong(stub.Predict, request, grpc.StatusCode.NOT_FOUND, "Specific(penguins, 9)")
    request = predict_request(examples=examples)
    request.model_spec.version_label = "beta"
    wrong(
        stub.Predict, request, grpc.StatusCode.INVALID_ARGUMENT, "Unrecognized servable version label: beta"
    )
    wrong(
        stub.Predict,
        predict_request(signature="nope", examples=examples),
        grpc.StatusCode.FAILED_PRECONDITION,
        'Serving signature key "nope" not found.',
    )
    wrong(
        stub.Predict,
        predict_request(wings=[1.0]),
        grpc.StatusCode.INVALID_ARGUMENT,
        "input size does not match signature: 1!=1 len({wings}) != len({examples}). Sent extra: {wings}. "
        "Missing but required: {examples}.",
    )
    wrong(
        stub.Predict,
        predict_request(examples=[[b"a"]]),
        grpc.StatusCode.INVALID_ARGUMENT,
        "the signature expects shape [-1]",
    )
    wrong(stub.Predict, predict_request(examples=[1.0]), grpc.StatusCode.INVALID_ARGUMENT, "expected string")
    request = predict_request(examples=examples)
    request.output_filter.append("logits")
    wrong(
        stub.Predict, request, grpc.StatusCode.INVALID_ARGUMENT, "output tensor alias not found in signature"
    )
    wrong(stub.Predict, predict_pb2.PredictRequest(), grpc.StatusCode.INVALID_ARGUMENT, "Missing ModelSpec")
    request = classification_pb2.ClassificationRequest()
    request.model_spec.name = "penguins"
    request.input.example_list.examples.add()
    wrong(stub.Classify, request, grpc.StatusCode.INVALID_ARGUMENT, "Expected classification signature")
    request = regression_pb2.RegressionRequest()
    request.model_spec.name, request.model_spec.signature_name = "tiny", "regress_x"
    wrong(stub.Regress, request, grpc.StatusCode.INVALID_ARGUMENT, "Input is empty")
    request = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=["graph"])
    request.model_spec.name = "penguins"
    wrong(stub.GetModelMetadata, request, grpc.StatusCode.INVALID_ARGUMENT, "Metadata field graph")
    request = get_model_status_pb2.GetModelStatusRequest()
    request.model_spec.name = "nope"
    wrong(
        models.GetModelStatus, request, grpc.StatusCode.NOT_FOUND, "Could not find any versions of model nope"
    )
    config = model_server_config_pb2.ModelServerConfig()
    config.model_config_list.config.add(name="relative", base_path="models/relative")
    wrong(
        models.HandleReloadConfigRequest,
        model_management_pb2.ReloadConfigRequest(config=config),
        grpc.StatusCode.INVALID_ARGUMENT,
        "base_path must be an absolute path",
    )


def test_a_message_over_the_size_limit_is_refused_and_the_server_keeps_serving(stub):
    huge = predict_request(examples=[b"x" * (9 * 1024 * 1024)])
    wrong(stub.Predict, huge, grpc.StatusCode.RESOURCE_EXHAUSTED, "")
    assert stub.Predict(predict_request(examples=[serialized(PENGUINS[0])]), timeout=30).outputs

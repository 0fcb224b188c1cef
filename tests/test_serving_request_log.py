# ruff: noqa: F811 - pytest fixtures imported from tests/serving_testing.py are redefined as arguments
"""Request logging (utils/serving/request_log.py), as TF Serving's ModelConfig.logging_config asks for it:
PredictionLog records in TFRecord files, the sampling rate honoured, and a logger that cannot write never
failing a request. The logger alone, then a server with the tiny model, over REST and gRPC."""

import math
import textwrap
import types

import grpc
import numpy as np
import pytest
import tensorflow as tf
from tensorflow_metadata.proto.v0 import schema_pb2
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc
from tensorflow_serving.config import logging_config_pb2

from tests.serving_testing import (  # noqa: F401 - fixtures
    assert_stopped,
    copy_version,
    example,
    http,
    tiny_model,
    tiny_savedmodel,
)
from utils.serving import request_log
from utils.serving.process import ModelServerProcess

pytestmark = pytest.mark.model_server


def logging_config(prefix, rate: float) -> logging_config_pb2.LoggingConfig:
    config = logging_config_pb2.LoggingConfig()
    config.sampling_config.sampling_rate = rate
    config.log_collector_config.filename_prefix = str(prefix)
    return config


def predict_pair(x: float):
    request, response = predict_pb2.PredictRequest(), predict_pb2.PredictResponse()
    request.inputs["x"].CopyFrom(tf.make_tensor_proto(np.array([x], np.float32)))
    response.outputs["y"].CopyFrom(tf.make_tensor_proto(np.array([2 * x + 1], np.float32)))
    return request, response


SERVABLE = types.SimpleNamespace(name="tiny", version=3)


def test_every_request_is_written_as_a_prediction_log_at_rate_one(tmp_path):
    logger = request_log.RequestLogger("tiny", logging_config(tmp_path / "logs" / "tiny", 1.0))
    for x in (1.0, 2.0, 3.0):
        assert logger.log_predict(SERVABLE, "serving_default", *predict_pair(x))
    records = request_log.read_logs(tmp_path / "logs" / "tiny")  # flushed: readable before close
    logger.close()
    assert [tf.make_ndarray(r.predict_log.request.inputs["x"])[0] for r in records] == [1.0, 2.0, 3.0]
    assert [tf.make_ndarray(r.predict_log.response.outputs["y"])[0] for r in records] == [3.0, 5.0, 7.0]
    spec = records[0].log_metadata.model_spec
    assert (spec.name, spec.version.value, spec.signature_name) == ("tiny", 3, "serving_default")
    assert records[0].log_metadata.sampling_config.sampling_rate == 1.0


@pytest.mark.parametrize("rate, low, high", [(0.0, 0, 0), (0.25, 70, 130), (1.0, 400, 400)])
def test_the_sampling_rate_is_honoured(tmp_path, rate, low, high):
    logger = request_log.RequestLogger("tiny", logging_config(tmp_path / "tiny", rate), seed=7)
    written = sum(logger.log_predict(SERVABLE, "serving_default", *predict_pair(1.0)) for _ in range(400))
    logger.close()
    assert low <= written <= high  # 0.25 of 400 is 100; a binomial's sd is about 9, so this is 3 sd wide


@pytest.mark.parametrize("prefix, rate, words", [("relative/tiny", 1.0, "absolute path"),
                                                 ("/abs/tiny", 1.5, "between 0 and 1"),
                                                 ("/abs/tiny", math.nan, "between 0 and 1")])
def test_a_bad_logging_config_says_what_to_change(prefix, rate, words):
    with pytest.raises(ValueError, match=words):
        request_log.RequestLogger("tiny", logging_config(prefix, rate))


def test_a_logger_that_cannot_write_returns_false_and_never_raises(tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    logger = request_log.RequestLogger("tiny", logging_config(blocker / "logs" / "tiny", 1.0))
    assert not logger.log_predict(SERVABLE, "serving_default", *predict_pair(1.0))
    assert not logger.log_predict(SERVABLE, "serving_default", *predict_pair(2.0))
    assert sum("request logging" in r.getMessage() for r in caplog.records) == 1, "reported once"


def test_logged_raw_inputs_become_examples_with_the_schema_types():
    record = request_log.prediction_log_pb2.PredictionLog()
    inputs = record.predict_log.request.inputs
    inputs["island"].CopyFrom(tf.make_tensor_proto(np.array([b"Dream", b""])))
    inputs["body_mass_g"].CopyFrom(tf.make_tensor_proto(np.array([3800.0, math.nan], np.float32)))
    inputs["bill_length_mm"].CopyFrom(tf.make_tensor_proto(np.array([39.5, 40.25], np.float32)))
    schema = schema_pb2.Schema()
    schema.feature.add(name="body_mass_g", type=schema_pb2.INT)
    first, second = request_log.request_examples(record, schema)
    features = first.features.feature
    assert features["island"].bytes_list.value == [b"Dream"]
    assert features["body_mass_g"].int64_list.value == [3800]
    assert features["bill_length_mm"].float_list.value == [39.5]
    missing = second.features.feature  # an empty list of the feature's type, as CsvExampleGen writes it
    assert missing["island"].WhichOneof("kind") == "bytes_list" and not missing["island"].bytes_list.value
    assert missing["body_mass_g"].WhichOneof("kind") == "int64_list"
    assert not missing["body_mass_g"].int64_list.value


def test_logged_serialized_examples_are_parsed_back():
    sent = [example(x=1.5, tag="a"), example(x=2.5, tag="b")]
    record = request_log.prediction_log_pb2.PredictionLog()
    record.predict_log.request.inputs["examples"].CopyFrom(
        tf.make_tensor_proto(np.array([e.SerializeToString() for e in sent])))
    assert request_log.request_examples(record) == sent


def test_reading_without_any_log_says_what_to_check(tmp_path):
    with pytest.raises(FileNotFoundError, match="logging_config"):
        request_log.read_logs(tmp_path / "nothing")


def served_config(base, prefix) -> str:
    return textwrap.dedent(f"""\
        model_config_list {{ config {{
          name: "tiny"  base_path: "{base}"  model_platform: "tensorflow"
          logging_config {{
            sampling_config {{ sampling_rate: 1.0 }}
            log_collector_config {{ filename_prefix: "{prefix}" }}
          }}
        }} }}
        """)


@pytest.mark.parametrize("writable", [True, False], ids=["logged", "unwritable-log"])
def test_the_server_logs_rest_and_grpc_predictions_and_a_failing_log_fails_no_request(
        tmp_path, tiny_savedmodel, writable):
    copy_version(tiny_savedmodel, tmp_path / "tiny", 1)
    if writable:
        prefix = tmp_path / "logs" / "tiny"
    else:
        (tmp_path / "a-file").write_text("not a folder")
        prefix = tmp_path / "a-file" / "tiny"
    (tmp_path / "models.config").write_text(served_config(tmp_path / "tiny", prefix))
    process = ModelServerProcess(model_config_file=tmp_path / "models.config",
                                 log_path=tmp_path / "server.log")
    with process:
        status, body = http("POST", f"{process.rest_url}/v1/models/tiny:predict",
                            {"instances": [{"x": 1.0, "tag": "rest"}]})
        assert status == 200 and body["predictions"][0]["y"] == 3.0
        request = predict_pb2.PredictRequest()
        request.model_spec.name = "tiny"
        request.inputs["x"].CopyFrom(tf.make_tensor_proto(np.array([2.0], np.float32)))
        request.inputs["tag"].CopyFrom(tf.make_tensor_proto(np.array([b"grpc"])))
        with grpc.insecure_channel(process.grpc_target) as channel:
            answer = prediction_service_pb2_grpc.PredictionServiceStub(channel).Predict(request, timeout=30)
        assert tf.make_ndarray(answer.outputs["y"]).tolist() == [5.0]
    assert_stopped(process)
    if not writable:
        assert "request logging" in process.log() and not request_log.log_files(prefix)
        return
    records = request_log.read_logs(prefix)
    assert [tf.make_ndarray(r.predict_log.request.inputs["tag"]).tolist() for r in records] == [
        [b"rest"], [b"grpc"]]
    assert [tf.make_ndarray(r.predict_log.response.outputs["y"]).tolist() for r in records] == [[3.0], [5.0]]
    assert {(r.log_metadata.model_spec.name, r.log_metadata.model_spec.version.value,
             r.log_metadata.model_spec.signature_name) for r in records} == {("tiny", 1, "serving_default")}

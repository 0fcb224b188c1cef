"""ModelServerInfraValidator: TFX's InfraValidator contract, checked against the course's model server
(chapter 06).

TFX's ``InfraValidator`` starts TF Serving in Docker or Kubernetes, loads the candidate, sends it a few
requests and writes an ``InfraBlessing``. Where neither Docker nor a ``tensorflow_model_server`` binary
exists, this component does the same with the course's model server (``utils/serving``, TF Serving's
REST and gRPC APIs) in a subprocess. It takes what ``InfraValidator`` takes, minus the ``serving_spec``
that picks Docker or Kubernetes:

* inputs ``model`` (Model) and, optionally, ``examples`` (Examples: the requests are built from them);
* parameters ``request_spec`` (``tfx.proto.RequestSpec``: signature names, split, number of examples,
  ``make_warmup``) and ``validation_spec`` (``tfx.proto.ValidationSpec``: ``max_loading_time_seconds``,
  ``num_tries``);
* output ``blessing`` (InfraBlessing), marked as TFX's executor marks it: an empty ``INFRA_BLESSED`` or
  ``INFRA_NOT_BLESSED`` file and the custom property ``blessed`` (1/0) that Pusher reads; with
  ``make_warmup``, the model copied to the blessing's ``stamped_model`` folder with the requests as
  ``assets.extra/tf_serving_warmup_requests`` and ``has_model`` = 1, so Pusher given the blessing and no
  model pushes the warmed model. A failure never raises: it is written down as ``infra_failure``.

A class-based component has three parts, in this file in that order: the **spec** (what goes in and out),
the **executor** (what runs: ``Do(input_dict, output_dict, exec_properties)``) and the **component**
class that ties them together and is what a pipeline declares.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import tempfile
import time

import grpc
import numpy as np
import tensorflow as tf
from tensorflow_serving.apis import (
    classification_pb2,
    get_model_status_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_log_pb2,
    prediction_service_pb2_grpc,
    regression_pb2,
)
from tfx import types
from tfx.components.infra_validator import request_builder
from tfx.dsl.components.base import base_component, base_executor, executor_spec
from tfx.proto import infra_validator_pb2
from tfx.types import artifact_utils, standard_artifacts
from tfx.types.component_spec import ChannelParameter, ExecutionParameter
from tfx.utils import path_utils, proto_utils

from utils.serving.process import ModelServerProcess

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------- the spec


class ModelServerInfraValidatorSpec(types.ComponentSpec):
    """What the component takes and gives: the keys and types of TFX's InfraValidatorSpec, without
    ``serving_spec`` (the server is the course's)."""

    PARAMETERS = {
        "request_spec": ExecutionParameter(type=infra_validator_pb2.RequestSpec, optional=True),
        "validation_spec": ExecutionParameter(type=infra_validator_pb2.ValidationSpec, optional=True),
    }
    INPUTS = {
        "model": ChannelParameter(type=standard_artifacts.Model),
        "examples": ChannelParameter(type=standard_artifacts.Examples, optional=True),
    }
    OUTPUTS = {
        "blessing": ChannelParameter(type=standard_artifacts.InfraBlessing),
    }


# ------------------------------------------------------------------------------------------ the executor

MODEL_NAME = "infra-validation-model"  # the name TFX's InfraValidator serves the candidate under
VERSION = 1
DEFAULT_NUM_TRIES = 5  # TFX's defaults when the ValidationSpec leaves them at 0
DEFAULT_MAX_LOADING_TIME_SECONDS = 300
BLESSED_FILE, NOT_BLESSED_FILE = "INFRA_BLESSED", "INFRA_NOT_BLESSED"
BLESSED_KEY, HAS_MODEL_KEY, FAILURE_KEY = "blessed", "has_model", "infra_failure"
REQUEST_TIMEOUT_SECONDS = 30.0


class InfraValidationFailed(Exception):
    """The candidate did not load or did not answer; the message says what happened."""


class Executor(base_executor.BaseExecutor):
    """Load the model into the course's model server, query it, and bless it or not."""

    def Do(self, input_dict, output_dict, exec_properties) -> None:
        self._log_startup(input_dict, output_dict, exec_properties)
        model = artifact_utils.get_single_instance(input_dict["model"])
        examples = (artifact_utils.get_single_instance(input_dict["examples"])
                    if input_dict.get("examples") else None)
        blessing = artifact_utils.get_single_instance(output_dict["blessing"])
        request_spec = parsed(exec_properties.get("request_spec"), infra_validator_pb2.RequestSpec())
        validation_spec = parsed(exec_properties.get("validation_spec"),
                                 infra_validator_pb2.ValidationSpec())
        num_tries = validation_spec.num_tries or DEFAULT_NUM_TRIES
        max_loading = validation_spec.max_loading_time_seconds or DEFAULT_MAX_LOADING_TIME_SECONDS
        model_path = path_utils.serving_model_path(model.uri, path_utils.is_old_model_artifact(model))

        try:
            requests = build_requests(model, examples, request_spec)
        except Exception as e:  # noqa: BLE001 - a model whose requests cannot be built is not servable
            mark_not_blessed(blessing, f"cannot build the requests: {type(e).__name__}: {e}")
            return
        failure = None
        for attempt in range(1, num_tries + 1):
            log.info("infra validation, attempt %d of %d", attempt, num_tries)
            try:
                validate_once(model_path, requests, max_loading, self._get_tmp_dir())
            except InfraValidationFailed as e:
                failure = f"attempt {attempt} of {num_tries}: {e}"
                log.error("infra validation failed, %s", failure)
            else:
                failure = None
                break
        if failure:
            mark_not_blessed(blessing, failure)
            return
        mark_blessed(blessing, len(requests))
        if requests and request_spec.make_warmup:
            write_warmup_model(blessing, model_path, requests)


def parsed(json_text, proto):
    """A proto parameter as TFX hands it to the executor (JSON text), parsed; ``proto`` when absent."""
    if json_text:
        proto_utils.json_to_proto(json_text, proto)
    return proto


def build_requests(model, examples, request_spec) -> list:
    """The requests, built as TFX's InfraValidator builds them (its own request builder): per signature
    name, ``num_examples`` examples of ``split_name``, one request each, the kind (Predict, Classify,
    Regress) set by the signature's method. No examples or no request spec: load only, no requests."""
    if examples is None or not request_spec.WhichOneof("kind"):
        return []
    return request_builder.build_requests(model_name=MODEL_NAME, model=model, examples=examples,
                                          request_spec=request_spec)


def validate_once(model_path: str, requests: list, max_loading_seconds: int, tmp_root: str) -> None:
    """One attempt: a folder of numbered versions with the candidate as version 1, a server on it (free
    loopback ports), the version AVAILABLE within ``max_loading_seconds``, every request answered and
    checked. The server is always stopped. Raises InfraValidationFailed with the reason."""
    os.makedirs(tmp_root, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="infra_validation_", dir=tmp_root) as workdir:
        base_path = os.path.join(workdir, MODEL_NAME)
        shutil.copytree(model_path, os.path.join(base_path, str(VERSION)))
        deadline = time.monotonic() + max_loading_seconds
        server = ModelServerProcess(model_name=MODEL_NAME, model_base_path=base_path,
                                    file_system_poll_wait_seconds=0.2,
                                    log_path=os.path.join(workdir, "model_server.log"),
                                    startup_timeout=max_loading_seconds)
        try:
            try:
                server.start()
            except RuntimeError as e:
                raise InfraValidationFailed(f"the model server did not start: {e}") from None
            with grpc.insecure_channel(server.grpc_target) as channel:
                wait_until_available(channel, deadline)
                for request in requests:
                    send_and_check(channel, request)
        except InfraValidationFailed:
            log.error("model server log:\n%s", server.log()[-3000:])
            raise
        finally:
            server.stop()


def wait_until_available(channel, deadline: float) -> None:
    """Poll GetModelStatus until version 1 is AVAILABLE; its load error, or the deadline, fails."""
    stub = model_service_pb2_grpc.ModelServiceStub(channel)
    request = get_model_status_pb2.GetModelStatusRequest()
    request.model_spec.name = MODEL_NAME
    request.model_spec.version.value = VERSION
    state = "no answer"
    while time.monotonic() < deadline:
        try:
            response = stub.GetModelStatus(request, timeout=REQUEST_TIMEOUT_SECONDS)
        except grpc.RpcError as e:
            state = f"{e.code().name}: {e.details()}"
        else:
            status = response.model_version_status[0]
            state = get_model_status_pb2.ModelVersionStatus.State.Name(status.state)
            if state == "AVAILABLE":
                return
            if state == "END":
                raise InfraValidationFailed(
                    f"the model did not load: {status.status.error_message or 'unloaded'}")
        time.sleep(0.2)
    raise InfraValidationFailed(f"the model was not AVAILABLE within max_loading_time_seconds "
                                f"(last status: {state})")


def send_and_check(channel, request) -> None:
    """Send one request over gRPC with TF Serving's stubs and check the answer."""
    stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
    kind = type(request).__name__
    call = {"PredictRequest": stub.Predict, "ClassificationRequest": stub.Classify,
            "RegressionRequest": stub.Regress}[kind]
    try:
        response = call(request, timeout=REQUEST_TIMEOUT_SECONDS)
    except grpc.RpcError as e:
        raise InfraValidationFailed(f"{kind} on signature '{request.model_spec.signature_name}' failed: "
                                    f"{e.code().name}: {e.details()}") from None
    problem = answer_problem(request, response)
    if problem:
        raise InfraValidationFailed(
            f"{kind} on signature '{request.model_spec.signature_name}' answered wrongly: {problem}")


def batch_size(request) -> int:
    if isinstance(request, predict_pb2.PredictRequest):
        first = next(iter(request.inputs.values()))
        return first.tensor_shape.dim[0].size if first.tensor_shape.dim else 1
    return len(request.input.example_list.examples)


def answer_problem(request, response) -> str | None:
    """What is wrong with an answer, or None: one result per example; for a classifier, one valid class
    per example (a class id within the probabilities' width, probabilities that sum to 1)."""
    n = batch_size(request)
    if isinstance(response, classification_pb2.ClassificationResponse):
        results = response.result.classifications
        if len(results) != n:
            return f"{len(results)} classifications for {n} examples"
        if any(not r.classes or not all(math.isfinite(c.score) for c in r.classes) for r in results):
            return "a classification without classes or with a non-finite score"
        return None
    if isinstance(response, regression_pb2.RegressionResponse):
        values = [r.value for r in response.result.regressions]
        if len(values) != n or not all(math.isfinite(v) for v in values):
            return f"{len(values)} regressions for {n} examples, or a non-finite value"
        return None
    outputs = {alias: tf.make_ndarray(tensor) for alias, tensor in response.outputs.items()}
    if not outputs:
        return "no outputs"
    for alias, value in outputs.items():
        if value.ndim == 0 or value.shape[0] != n:
            return f"output '{alias}' has shape {list(value.shape)}, expected {n} row(s)"
    probabilities = outputs.get("probabilities")
    if probabilities is not None:
        if not np.all(np.isfinite(probabilities)) or not np.allclose(probabilities.sum(axis=-1), 1.0,
                                                                     atol=1e-3):
            return "'probabilities' are not finite or do not sum to 1"
    class_ids = outputs.get("class_ids")
    if class_ids is not None:
        width = probabilities.shape[-1] if probabilities is not None else None
        if class_ids.reshape(n, -1).shape[1] != 1:
            return f"'class_ids' has shape {list(class_ids.shape)}, expected one class per example"
        if np.any(class_ids < 0) or (width is not None and np.any(class_ids >= width)):
            return f"'class_ids' {class_ids.reshape(-1).tolist()} outside the model's classes"
    return None


def mark_blessed(blessing, num_requests: int) -> None:
    """What TFX's executor writes for a model that passed, plus how many requests it answered."""
    log.info("model passed infra validation (%d requests answered)", num_requests)
    tf.io.gfile.makedirs(blessing.uri)
    with tf.io.gfile.GFile(os.path.join(blessing.uri, BLESSED_FILE), "w") as f:
        f.write("")
    blessing.set_int_custom_property(BLESSED_KEY, 1)
    blessing.set_int_custom_property("num_requests", num_requests)


def mark_not_blessed(blessing, reason: str) -> None:
    """What TFX's executor writes for a model that failed, plus the reason as ``infra_failure``."""
    log.error("model failed infra validation: %s", reason)
    tf.io.gfile.makedirs(blessing.uri)
    with tf.io.gfile.GFile(os.path.join(blessing.uri, NOT_BLESSED_FILE), "w") as f:
        f.write("")
    blessing.set_int_custom_property(BLESSED_KEY, 0)
    blessing.set_string_custom_property(FAILURE_KEY, reason)


def prediction_log(request) -> prediction_log_pb2.PredictionLog:
    """A request as one record of TF Serving's warmup file."""
    if isinstance(request, classification_pb2.ClassificationRequest):
        return prediction_log_pb2.PredictionLog(classify_log=prediction_log_pb2.ClassifyLog(request=request))
    if isinstance(request, regression_pb2.RegressionRequest):
        return prediction_log_pb2.PredictionLog(regress_log=prediction_log_pb2.RegressLog(request=request))
    return prediction_log_pb2.PredictionLog(predict_log=prediction_log_pb2.PredictLog(request=request))


def write_warmup_model(blessing, model_path: str, requests: list) -> str:
    """The validated model, copied into the blessing (``stamped_model``) with the requests it answered as
    ``assets.extra/tf_serving_warmup_requests`` (a TFRecord of PredictionLog, what TF Serving replays at
    load); ``has_model`` = 1 tells Pusher to push this copy. Returns the warmup file's path."""
    stamped = path_utils.stamped_model_path(blessing.uri)
    shutil.copytree(model_path, stamped)
    warmup = path_utils.warmup_file_path(stamped)
    os.makedirs(os.path.dirname(warmup), exist_ok=True)
    with tf.io.TFRecordWriter(warmup) as writer:
        for request in requests:
            writer.write(prediction_log(request).SerializeToString())
    blessing.set_int_custom_property(HAS_MODEL_KEY, 1)
    return warmup


# ----------------------------------------------------------------------------------------- the component


class ModelServerInfraValidator(base_component.BaseComponent):
    """Infra validation against the course's model server (TFX's InfraValidator without Docker).

        ModelServerInfraValidator(model=trainer.outputs["model"], examples=example_gen.outputs["examples"],
                                  request_spec=tfx.proto.RequestSpec(...),
                                  validation_spec=tfx.proto.ValidationSpec(...))
    """

    SPEC_CLASS = ModelServerInfraValidatorSpec
    EXECUTOR_SPEC = executor_spec.ExecutorClassSpec(Executor)

    def __init__(self, model, examples=None, request_spec=None, validation_spec=None):
        super().__init__(spec=ModelServerInfraValidatorSpec(
            model=model, examples=examples, request_spec=request_spec, validation_spec=validation_spec,
            blessing=types.Channel(type=standard_artifacts.InfraBlessing)))

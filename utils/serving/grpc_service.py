"""The gRPC API: TF Serving's PredictionService and ModelService, on grpcio's asyncio server (the event loop
the REST API runs on) with the servicer base classes of ``tensorflow-serving-api``, so a client built on
``prediction_service_pb2_grpc.PredictionServiceStub`` works unchanged. The models run in the thread pool,
never on the event loop. Errors abort the call with TF Serving's status code and message."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

import grpc
import tensorflow as tf
from tensorflow_serving.apis import (
    classification_pb2,
    model_management_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
    regression_pb2,
)

from utils.serving import protos, request_log
from utils.serving.errors import ServingError, invalid
from utils.serving.flags import FlagError, validate
from utils.serving.repository import ModelManager
from utils.serving.servable import serialized_examples

log = logging.getLogger("utils.serving")


def answering(method):
    """Run a servicer method in the model thread pool, off the event loop; a ServingError aborts the call
    with its code, a bug with INTERNAL."""

    async def wrapper(self, request, context):
        try:
            return await asyncio.get_running_loop().run_in_executor(self.pool, method, self, request, context)
        except ServingError as e:
            await context.abort(e.grpc_code, e.message)
        except Exception as e:  # noqa: BLE001 - a bug must not take the server down
            log.exception("gRPC %s failed", method.__name__)
            await context.abort(grpc.StatusCode.INTERNAL, f"Internal error: {type(e).__name__}: {e}")

    wrapper.__name__ = method.__name__
    return wrapper


def _servable(manager: ModelManager, spec):
    if not spec.name:
        raise invalid("Missing ModelSpec")
    version, label = protos.spec_version(spec)
    return manager.servable(spec.name, version, label)


def _fill_spec(target, name: str, version: int, signature_name: str) -> None:
    target.name = name
    target.version.value = version
    target.signature_name = signature_name


class PredictionService(prediction_service_pb2_grpc.PredictionServiceServicer):
    def __init__(self, manager: ModelManager, pool: ThreadPoolExecutor):
        self.manager, self.pool = manager, pool

    @answering
    def Predict(self, request, context):
        servable = _servable(self.manager, request.model_spec)
        try:
            inputs = {alias: tf.make_ndarray(tensor) for alias, tensor in request.inputs.items()}
        except (TypeError, ValueError) as e:
            raise invalid(f"a TensorProto in inputs cannot be read: {e}") from None
        name, outputs = servable.predict(
            request.model_spec.signature_name,
            inputs,
            request.output_filter,
            missing_code="FAILED_PRECONDITION",
        )
        response = predict_pb2.PredictResponse()
        _fill_spec(response.model_spec, servable.name, servable.version, name)
        for alias, array in outputs.items():
            response.outputs[alias].CopyFrom(tf.make_tensor_proto(array))
        request_log.log_predict_request(self.manager, servable, name, request, response)
        return response

    @answering
    def Classify(self, request, context):
        servable = _servable(self.manager, request.model_spec)
        name, results = servable.classify(
            request.model_spec.signature_name, serialized_examples(request.input)
        )
        response = classification_pb2.ClassificationResponse()
        _fill_spec(response.model_spec, servable.name, servable.version, name)
        for row in results:
            classifications = response.result.classifications.add()
            for label, score in row:
                entry = classifications.classes.add()
                entry.label, entry.score = label.decode(errors="replace"), score
        return response

    @answering
    def Regress(self, request, context):
        servable = _servable(self.manager, request.model_spec)
        name, values = servable.regress(request.model_spec.signature_name, serialized_examples(request.input))
        response = regression_pb2.RegressionResponse()
        _fill_spec(response.model_spec, servable.name, servable.version, name)
        for value in values:
            response.result.regressions.add().value = value
        return response

    @answering
    def GetModelMetadata(self, request, context):
        if not request.model_spec.name:
            raise invalid("Missing ModelSpec")
        version, label = protos.spec_version(request.model_spec)
        return protos.model_metadata(
            self.manager, request.model_spec.name, version, label, list(request.metadata_field)
        )

    @answering
    def MultiInference(self, request, context):
        raise ServingError("UNIMPLEMENTED", "MultiInference is not implemented by the course's model server")


class ModelService(model_service_pb2_grpc.ModelServiceServicer):
    def __init__(self, manager: ModelManager, pool: ThreadPoolExecutor):
        self.manager, self.pool = manager, pool

    @answering
    def GetModelStatus(self, request, context):
        if not request.HasField("model_spec"):
            raise invalid("Missing ModelSpec")
        version, label = protos.spec_version(request.model_spec)
        return protos.model_status(self.manager, request.model_spec.name, version, label)

    @answering
    def HandleReloadConfigRequest(self, request, context):
        """Serve a new ModelServerConfig: models added, removed, new policies and labels (as TF Serving)."""
        response = model_management_pb2.ReloadConfigResponse()
        try:
            validate(request.config)
        except FlagError as e:
            raise invalid(str(e)) from None
        self.manager.reload_config(request.config)
        response.status.error_code = 0
        return response


def add_services(server: grpc.aio.Server, manager: ModelManager, pool: ThreadPoolExecutor) -> None:
    prediction = PredictionService(manager, pool)
    prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(prediction, server)
    model_service_pb2_grpc.add_ModelServiceServicer_to_server(ModelService(manager, pool), server)

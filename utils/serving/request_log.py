"""Request logging, as TF Serving does it: a sample of the requests a model answers, written as
``PredictionLog`` records to TFRecord files, so that what production really sends can be checked later
(chapter 10 validates them with TFDV against the training schema).

Switched on per model in the model config, with TF Serving's own fields::

    model_config_list { config {
      name: "penguins"  base_path: "/abs/serving/penguins"
      logging_config {
        sampling_config { sampling_rate: 1.0 }            # the share of requests logged, 0 to 1
        log_collector_config { filename_prefix: "/abs/logs/penguins" }
      }
    } }

Each server process appends to ``<filename_prefix>-<process id>.tfrecord`` (one record per logged request,
flushed at once, so a reader sees it while the server runs). A record holds the model name, version and
signature (``log_metadata``) and the request with the answer (``predict_log``: ``PredictRequest`` and
``PredictResponse``). Predict requests are logged, over REST and gRPC; classify and regress are not.

Logging never fails a request: an error while logging is reported once in the server's log and the
answer goes out as usual. ``read_logs`` and ``logged_examples`` read the records back.
"""

from __future__ import annotations

import glob
import logging
import math
import os
import random
import threading

import numpy as np
import tensorflow as tf
from tensorflow_metadata.proto.v0 import schema_pb2
from tensorflow_serving.apis import predict_pb2, prediction_log_pb2

log = logging.getLogger("utils.serving")
SUFFIX = ".tfrecord"


class RequestLogger:
    """One model's logger: samples requests and writes them; thread-safe."""

    def __init__(self, model_name: str, logging_config, seed: int | None = None):
        self.model_name = model_name
        self.config = logging_config
        self.rate = logging_config.sampling_config.sampling_rate
        prefix = logging_config.log_collector_config.filename_prefix
        if not prefix or not os.path.isabs(prefix):
            raise ValueError(f"model {model_name!r}: logging_config.log_collector_config.filename_prefix "
                             f"must be an absolute path; got {prefix!r}")
        if not 0.0 <= self.rate <= 1.0 or math.isnan(self.rate):
            raise ValueError(f"model {model_name!r}: logging_config.sampling_config.sampling_rate must be "
                             f"between 0 and 1; got {self.rate}")
        self.path = f"{prefix}-{os.getpid()}{SUFFIX}"
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._writer = None
        self._failed = False

    def sampled(self) -> bool:
        return self.rate > 0 and self._random.random() < self.rate

    def log_predict(self, servable, signature_name: str, request: predict_pb2.PredictRequest,
                    response: predict_pb2.PredictResponse) -> bool:
        """Write one predict request and its answer if it is sampled; -> whether it was written.
        Never raises: a failure is logged once and the request goes on."""
        try:
            with self._lock:
                if not self.sampled():
                    return False
                record = prediction_log_pb2.PredictionLog()
                spec = record.log_metadata.model_spec
                spec.name, spec.version.value, spec.signature_name = (self.model_name, servable.version,
                                                                      signature_name)
                record.log_metadata.sampling_config.CopyFrom(self.config.sampling_config)
                record.log_metadata.saved_model_tags.append("serve")
                record.predict_log.request.CopyFrom(request)
                record.predict_log.response.CopyFrom(response)
                if self._writer is None:
                    os.makedirs(os.path.dirname(self.path), exist_ok=True)
                    self._writer = tf.io.TFRecordWriter(self.path)
                self._writer.write(record.SerializeToString())
                self._writer.flush()
                return True
        except Exception as e:  # noqa: BLE001 - logging must never fail a request
            if not self._failed:
                log.warning("model %s: request logging to %s failed (%s: %s); requests are answered, "
                            "not logged", self.model_name, self.path, type(e).__name__, e)
            self._failed = True
            return False

    def close(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None


_loggers: dict[str, tuple[bytes, RequestLogger | None]] = {}
_loggers_lock = threading.Lock()


def logger_for(manager, model_name: str) -> RequestLogger | None:
    """The logger of a served model as its current config says (None: not logged). A changed
    logging_config (a reloaded model config) gets a new logger."""
    model = manager.models.get(model_name)
    if model is None or not model.config.HasField("logging_config"):
        return None
    key = model.config.logging_config.SerializeToString()
    with _loggers_lock:
        known = _loggers.get(model_name)
        if known is not None and known[0] == key:
            return known[1]
        if known is not None and known[1] is not None:
            known[1].close()
        try:
            logger = RequestLogger(model_name, model.config.logging_config)
        except ValueError as e:
            log.error("%s: requests are not logged", e)
            logger = None
        _loggers[model_name] = (key, logger)
        return logger


def log_predict(manager, servable, signature_name: str, inputs: dict, outputs: dict) -> None:
    """REST: the request and answer as NumPy arrays, logged as a PredictRequest/PredictResponse."""
    try:
        logger = logger_for(manager, servable.name)
        if logger is None or logger.rate <= 0:  # build the protos only if anything can be logged
            return
        request, response = predict_pb2.PredictRequest(), predict_pb2.PredictResponse()
        request.model_spec.name = response.model_spec.name = servable.name
        request.model_spec.signature_name = response.model_spec.signature_name = signature_name
        response.model_spec.version.value = servable.version
        for alias, array in inputs.items():
            request.inputs[alias].CopyFrom(tf.make_tensor_proto(np.asarray(array)))
        for alias, array in outputs.items():
            response.outputs[alias].CopyFrom(tf.make_tensor_proto(np.asarray(array)))
        logger.log_predict(servable, signature_name, request, response)
    except Exception as e:  # noqa: BLE001 - logging must never fail a request
        log.warning("request logging failed (%s: %s)", type(e).__name__, e)


def log_predict_request(manager, servable, signature_name: str, request, response) -> None:
    """gRPC: the request and answer protos as they are."""
    try:
        logger = logger_for(manager, servable.name)
        if logger is not None:
            logger.log_predict(servable, signature_name, request, response)
    except Exception as e:  # noqa: BLE001 - logging must never fail a request
        log.warning("request logging failed (%s: %s)", type(e).__name__, e)


# ---- reading the logs back (chapter 10)

def log_files(filename_prefix: str) -> list[str]:
    """Every file written for this prefix, by every server process."""
    return sorted(glob.glob(f"{glob.escape(str(filename_prefix))}-*{SUFFIX}"))


def read_logs(filename_prefix: str) -> list[prediction_log_pb2.PredictionLog]:
    """The PredictionLog records of every file of this prefix, in the order written per file."""
    files = log_files(filename_prefix)
    if not files:
        raise FileNotFoundError(f"no request log {filename_prefix}-*{SUFFIX}: is logging_config set in the "
                                "model config, with a sampling_rate above 0, and did requests arrive?")
    records = []
    for path in files:
        for raw in tf.data.TFRecordDataset(path).as_numpy_iterator():
            records.append(prediction_log_pb2.PredictionLog.FromString(raw))
    return records


def request_examples(record: prediction_log_pb2.PredictionLog, schema=None) -> list[tf.train.Example]:
    """The examples one logged predict request carried: parsed from the serialized tf.Examples of
    ``serving_default`` (input ``examples``), or built row by row from the named raw inputs of
    ``serving_raw`` (a NaN number or an empty string is a missing value, as that signature reads it).
    A missing value becomes an empty list of the feature's type, as CsvExampleGen writes it. A raw input
    arrives as float32; with a ``schema``, a feature the schema says is INT is written as an integer again
    (rounded), as the client's data had it."""
    integers = {f.name for f in schema.feature if f.type == schema_pb2.INT} if schema is not None else set()
    inputs = {alias: tf.make_ndarray(tensor) for alias, tensor in record.predict_log.request.inputs.items()}
    if set(inputs) == {"examples"}:
        return [tf.train.Example.FromString(item) for item in inputs["examples"].reshape(-1)]
    rows = {len(np.asarray(values).reshape(-1)) for values in inputs.values()}
    if len(rows) != 1:
        raise ValueError(f"the logged inputs have different lengths {sorted(rows)}: not one row per example")
    examples = [tf.train.Example() for _ in range(rows.pop())]
    for alias, values in sorted(inputs.items()):
        for example, value in zip(examples, np.asarray(values).reshape(-1), strict=True):
            feature = example.features.feature[alias]
            if isinstance(value, bytes):  # SetInParent: the kind is set even for an empty list
                feature.bytes_list.SetInParent()
                feature.bytes_list.value.extend([value] if value else [])
                continue
            present = [] if math.isnan(float(value)) else [float(value)]
            if alias in integers:
                feature.int64_list.SetInParent()
                feature.int64_list.value.extend(int(round(v)) for v in present)
            else:
                feature.float_list.SetInParent()
                feature.float_list.value.extend(present)
    return examples

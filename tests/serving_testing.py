"""Helpers for the model server's tests: a tiny hand-made SavedModel with predict, classify and regress
signatures, the course model, folders of versions, one server shared by the test modules, and an HTTP
client that speaks only the wire protocol.

The fixtures are session-scoped and import into each test module; what they build is cached here, so the
model is trained and the server started once per test session, whichever modules run.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import textwrap
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import tensorflow as tf
from tensorflow_serving.apis import classification_pb2, predict_pb2, prediction_log_pb2, regression_pb2

from tests import penguin_model
from utils import config, paths
from utils.serving.process import ModelServerProcess
from utils.tfx_modules.trainer import penguin_trainer

POLL_SECONDS = 0.2
_CACHE: dict = {}


def tiny_model(path: Path, offset: float = 1.0) -> Path:
    """A TF1-style SavedModel (what TF Serving's classify/regress need: method names and an ``inputs``
    tensor of serialized tf.Examples, which TF2's saved_model.save cannot write).

    Signatures: serving_default (predict; x: float [-1], tag: string [-1] -> y = 2x + offset, tag_bytes,
    count: int64), pairs (predict; m: float [-1, 2] -> total), classify_x (classes "pos"/"neg", scores from
    the feature x), regress_x (outputs = 2x + offset), both reading tf.Examples with a float feature x."""
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None], name="x")
        tag = tf.compat.v1.placeholder(tf.string, [None], name="tag")
        m = tf.compat.v1.placeholder(tf.float32, [None, 2], name="m")
        serialized = tf.compat.v1.placeholder(tf.string, [None], name="examples")
        spec = {"x": tf.io.FixedLenFeature([], tf.float32, default_value=0.0)}
        parsed = tf.io.parse_example(serialized, spec)
        ex = parsed["x"]
        positive = tf.sigmoid(ex)
        scores = tf.stack([positive, 1.0 - positive], axis=1)
        classes = tf.tile(tf.constant([["pos", "neg"]]), [tf.shape(ex)[0], 1])
        sig = tf.compat.v1.saved_model
        signatures = {
            "serving_default": sig.predict_signature_def(
                {"x": x, "tag": tag},
                {
                    "y": 2.0 * x + offset,
                    "tag_bytes": tf.identity(tag),
                    "count": tf.cast(tf.size(x), tf.int64) * tf.ones_like(x, dtype=tf.int64),
                },
            ),
            "pairs": sig.predict_signature_def({"m": m}, {"total": tf.reduce_sum(m, axis=1)}),
            "classify_x": sig.classification_signature_def(serialized, classes, scores),
            "regress_x": sig.regression_signature_def(serialized, 2.0 * ex + offset),
        }
        with tf.compat.v1.Session() as session:
            builder = sig.Builder(str(path))
            builder.add_meta_graph_and_variables(session, ["serve"], signature_def_map=signatures)
            builder.save()
    return path


def copy_version(source: Path, base: Path, version: int) -> Path:
    """Copy a SavedModel folder into ``base/<version>``, as TFX's Pusher does (not atomically)."""
    target = base / str(version)
    shutil.copytree(source, target)
    return target


def http(method: str, url: str, body=None, raw: bytes | None = None, timeout: float = 30.0):
    """-> (status, parsed JSON body). ``body`` is sent as JSON, ``raw`` as given."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def raw_instance(penguin: dict) -> dict:
    """One penguin as a JSON client sends it to serving_raw: every feature, NaN or "" when missing."""
    out = {}
    for name in penguin_trainer.RAW_FEATURES:
        value = penguin.get(name)
        if name in config.CATEGORICAL_FEATURES:
            out[name] = "" if value is None else value
        else:
            out[name] = math.nan if value is None else value
    return out


def example(**features) -> tf.train.Example:
    out = tf.train.Example()
    for name, value in features.items():
        feature = out.features.feature[name]
        if isinstance(value, float):
            feature.float_list.value.append(value)
        elif isinstance(value, int):
            feature.int64_list.value.append(value)
        else:
            feature.bytes_list.value.append(value.encode())
    return out


def write_warmup(model_dir: Path, records: list) -> Path:
    """assets.extra/tf_serving_warmup_requests: a TFRecord of PredictionLog, as TF Serving reads it."""
    path = model_dir / "assets.extra" / "tf_serving_warmup_requests"
    path.parent.mkdir(parents=True, exist_ok=True)
    with tf.io.TFRecordWriter(str(path)) as writer:
        for record in records:
            writer.write(record.SerializeToString())
    return path


def tiny_warmup_records() -> list:
    predict = predict_pb2.PredictRequest()
    predict.inputs["x"].CopyFrom(tf.make_tensor_proto([1.0, 2.0], dtype=tf.float32))
    predict.inputs["tag"].CopyFrom(tf.make_tensor_proto([b"a", b"b"]))
    classify = classification_pb2.ClassificationRequest()
    classify.model_spec.signature_name = "classify_x"
    classify.input.example_list.examples.add().CopyFrom(example(x=0.5))
    regress = regression_pb2.RegressionRequest()
    regress.model_spec.signature_name = "regress_x"
    regress.input.example_list.examples.add().CopyFrom(example(x=0.5))
    return [
        prediction_log_pb2.PredictionLog(predict_log=prediction_log_pb2.PredictLog(request=predict)),
        prediction_log_pb2.PredictionLog(classify_log=prediction_log_pb2.ClassifyLog(request=classify)),
        prediction_log_pb2.PredictionLog(regress_log=prediction_log_pb2.RegressLog(request=regress)),
    ]


def config_text(root: Path) -> str:
    return textwrap.dedent(f"""\
        model_config_list {{
          config {{
            name: "penguins"  base_path: "{root / "penguins"}"  model_platform: "tensorflow"
            model_version_policy {{ specific {{ versions: 1 versions: 2 }} }}
            version_labels {{ key: "stable" value: 1 }}
            version_labels {{ key: "canary" value: 2 }}
          }}
          config {{ name: "tiny"  base_path: "{root / "tiny"}"  model_platform: "tensorflow" }}
          config {{ name: "swapping"  base_path: "{root / "swapping"}"  model_platform: "tensorflow" }}
          config {{ name: "staging"  base_path: "{root / "staging"}"  model_platform: "tensorflow" }}
        }}
        """)


def penguin_model_key() -> str:
    """What the course model's SavedModel depends on: the Transform and Trainer module folders, the data
    sample and schema, the training recipe of tests/penguin_model.py, and the TensorFlow/TFX versions."""
    import tfx

    digest = hashlib.sha256(f"{tf.__version__} {tfx.__version__}".encode())
    sources = [paths.CURATED_SCHEMA, penguin_model.CLEAN, Path(penguin_model.__file__)]
    for folder in ("transform", "trainer"):
        sources += sorted(p for p in (paths.TFX_MODULES_DIR / folder).rglob("*")
                          if p.is_file() and "__pycache__" not in p.parts)
    for source in sources:
        digest.update(str(source.relative_to(paths.REPO_ROOT)).encode() + source.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def penguin_savedmodel(tmp_path_factory) -> Path:
    """The course model (serving_default and serving_raw), trained on a sample (tests/penguin_model.py).
    Kept in build/test-cache/ under a key of everything it depends on: a later session with the same
    code and data reuses it instead of training again (test_penguin_trainer.py always trains)."""
    cached = paths.BUILD_DIR / "test-cache" / f"penguin-savedmodel-{penguin_model_key()}"
    if not (cached / "saved_model.pb").exists():
        trained = Path(penguin_model.shared_trained(tmp_path_factory).serving_model_dir)
        partial = cached.with_name(f"{cached.name}.partial-{os.getpid()}")
        shutil.copytree(trained, partial)
        try:
            partial.rename(cached)  # whole or not at all; another test process may have won the race
        except OSError:
            shutil.rmtree(partial, ignore_errors=True)
    return cached


@pytest.fixture(scope="session")
def tiny_savedmodel(tmp_path_factory) -> Path:
    if "tiny" not in _CACHE:
        _CACHE["tiny"] = tiny_model(tmp_path_factory.mktemp("tiny") / "model")
    return _CACHE["tiny"]


@pytest.fixture(scope="session")
def served_penguins(penguin_savedmodel):
    """The course model loaded in the test process: what the server's answers must equal."""
    if "loaded" not in _CACHE:
        _CACHE["loaded"] = tf.saved_model.load(str(penguin_savedmodel))
    return _CACHE["loaded"]


@pytest.fixture(scope="session")
def server(tmp_path_factory, penguin_savedmodel, tiny_savedmodel):
    """One server for the session: penguins (versions 1 and 2, labels stable=1, canary=2), tiny (with a
    warmup file), swapping and staging (for the version tests), polling every 0.2 s."""
    if "server" not in _CACHE:
        root = tmp_path_factory.mktemp("serving")
        for version in (1, 2):
            copy_version(penguin_savedmodel, root / "penguins", version)
        write_warmup(copy_version(tiny_savedmodel, root / "tiny", 1), tiny_warmup_records())
        copy_version(penguin_savedmodel, root / "swapping", 1)
        copy_version(tiny_savedmodel, root / "staging", 1)
        (root / "models.config").write_text(config_text(root))
        process = ModelServerProcess(
            model_config_file=root / "models.config",
            log_path=root / "server.log",
            file_system_poll_wait_seconds=POLL_SECONDS,
        )
        _CACHE["server"] = (process.start(), root)
    process, root = _CACHE["server"]
    try:
        yield process
    finally:
        assert_stopped(process)


def assert_stopped(process: ModelServerProcess) -> None:
    pid = process.process.pid
    process.stop()
    assert not process.running()
    assert not pid_alive(pid), f"model server {pid} still running"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    if not os.path.isdir("/proc"):  # macOS: no /proc; os.kill said it exists
        return True
    try:  # a zombie (exited, not yet reaped by its parent) is not running
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def server_root(server) -> Path:
    return _CACHE["server"][1]

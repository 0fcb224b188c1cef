# ruff: noqa: F811 - pytest fixtures imported from tests/serving_testing.py are redefined as arguments
"""Chapter 06's ModelServerInfraValidator (utils/components/model_server_validator.py), run as TFX runs an
executor, on the shared course model (tests/penguin_model.py): a good model is INFRA_BLESSED with a warmup
file the model server replays; broken models are INFRA_NOT_BLESSED with the reason, without an exception;
the server subprocess never outlives the validation; TFX's Pusher pushes the warmed model."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_log_pb2
from tfx.components.pusher import executor as pusher_executor
from tfx.components.util import examples_utils
from tfx.dsl.components.base import base_executor
from tfx.proto import example_gen_pb2, infra_validator_pb2
from tfx.types import artifact_utils, standard_artifacts
from tfx.utils import proto_utils

from tests.penguin_model import SERVING, read_penguins, serialized
from tests.serving_testing import penguin_savedmodel, pid_alive  # noqa: F401 - fixture
from utils import config, pipeline
from utils.components import model_server_validator as validator
from utils.serving.process import ModelServerProcess

pytestmark = pytest.mark.model_server
NUM_EXAMPLES = 4


def model_artifact(root: Path, savedmodel: Path) -> standard_artifacts.Model:
    """A Model artifact as the Trainer writes it: the SavedModel in <uri>/Format-Serving."""
    model = standard_artifacts.Model()
    model.uri = str(root / "model")
    shutil.copytree(savedmodel, root / "model" / "Format-Serving")
    return model


def examples_artifact(root: Path) -> standard_artifacts.Examples:
    """An Examples artifact as CsvExampleGen writes it: gzipped TFRecords of tf.Example, split 'eval'."""
    examples = standard_artifacts.Examples()
    examples.uri = str(root / "examples")
    examples.split_names = artifact_utils.encode_split_names(["eval"])
    examples_utils.set_payload_format(examples, example_gen_pb2.PayloadFormat.FORMAT_TF_EXAMPLE)
    split = root / "examples" / "Split-eval"
    split.mkdir(parents=True)
    options = tf.io.TFRecordOptions(compression_type="GZIP")
    with tf.io.TFRecordWriter(str(split / "data_tfrecord-00000-of-00001.gz"), options) as writer:
        for penguin in read_penguins(SERVING)[:20]:
            writer.write(serialized(penguin))
    return examples


def request_spec(signature_names=("serving_default",), make_warmup=True):
    return infra_validator_pb2.RequestSpec(
        tensorflow_serving=infra_validator_pb2.TensorFlowServingRequestSpec(signature_names=signature_names),
        split_name="eval", num_examples=NUM_EXAMPLES, make_warmup=make_warmup)


def run_validator(root: Path, model, examples, spec, num_tries=1):
    """Run the executor as TFX does (parameters as JSON text); -> (blessing, the server processes it
    started, as pids)."""
    blessing = standard_artifacts.InfraBlessing()
    blessing.uri = str(root / "blessing")
    os.makedirs(blessing.uri)
    exec_properties = {
        "request_spec": proto_utils.proto_to_json(spec),
        "validation_spec": proto_utils.proto_to_json(
            infra_validator_pb2.ValidationSpec(max_loading_time_seconds=60, num_tries=num_tries)),
    }
    started = []
    original_start = ModelServerProcess.start

    def recording_start(self):
        try:
            return original_start(self)
        finally:
            started.append(self.process.pid)

    context = base_executor.BaseExecutor.Context(tmp_dir=str(root / "tmp"), unique_id="1")
    executor = validator.Executor(context)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ModelServerProcess, "start", recording_start)
        executor.Do({"model": [model], "examples": [examples]}, {"blessing": [blessing]}, exec_properties)
    return blessing, started


def assert_no_server_left(pids):
    assert pids, "the validator started no model server"
    for pid in pids:
        assert not pid_alive(pid), f"model server {pid} still running after the validation"


@pytest.fixture(scope="module")
def blessed(tmp_path_factory, penguin_savedmodel):
    root = tmp_path_factory.mktemp("blessed")
    blessing, pids = run_validator(root, model_artifact(root, penguin_savedmodel), examples_artifact(root),
                                   request_spec())
    return root, blessing, pids


def warmup_records(model_dir: Path) -> list:
    path = model_dir / "assets.extra" / "tf_serving_warmup_requests"
    records = tf.data.TFRecordDataset(str(path))
    return [prediction_log_pb2.PredictionLog.FromString(r.numpy()) for r in records]


def test_a_servable_model_is_infra_blessed_with_a_warmup_file(blessed):
    root, blessing, pids = blessed
    assert (Path(blessing.uri) / "INFRA_BLESSED").exists()
    assert not (Path(blessing.uri) / "INFRA_NOT_BLESSED").exists()
    assert blessing.get_int_custom_property("blessed") == 1
    assert blessing.get_int_custom_property("has_model") == 1
    assert blessing.get_int_custom_property("num_requests") == NUM_EXAMPLES
    stamped = Path(blessing.uri) / "stamped_model"
    assert (stamped / "saved_model.pb").exists() and (stamped / "variables").is_dir()
    records = warmup_records(stamped)
    assert len(records) == NUM_EXAMPLES
    assert {r.WhichOneof("log_type") for r in records} == {"predict_log"}
    assert {r.predict_log.request.model_spec.signature_name for r in records} == {"serving_default"}
    assert_no_server_left(pids)
    assert not list((root / "tmp").glob("infra_validation_*")), "the temporary versions folder is left"


def test_the_model_server_replays_the_warmup_file_at_load(blessed, tmp_path):
    _, blessing, _ = blessed
    copy = tmp_path / "penguins" / "1"
    shutil.copytree(Path(blessing.uri) / "stamped_model", copy)
    with ModelServerProcess(model_name="penguins", model_base_path=copy.parent,
                            log_path=tmp_path / "server.log") as server:
        pass
    assert not server.running()
    assert f"version 1: {NUM_EXAMPLES} warmup requests replayed" in server.log()


def test_a_signature_the_model_lacks_is_not_blessed_with_the_reason(tmp_path, penguin_savedmodel):
    blessing, _ = run_validator(tmp_path, model_artifact(tmp_path, penguin_savedmodel),
                                examples_artifact(tmp_path), request_spec(("serving_defualt",)))
    assert (Path(blessing.uri) / "INFRA_NOT_BLESSED").exists()
    assert blessing.get_int_custom_property("blessed") == 0
    assert "serving_defualt" in blessing.get_string_custom_property("infra_failure")
    assert not (Path(blessing.uri) / "stamped_model").exists()


def test_a_model_without_variables_does_not_load_and_is_not_blessed(tmp_path, penguin_savedmodel):
    broken = tmp_path / "broken"
    shutil.copytree(penguin_savedmodel, broken, ignore=shutil.ignore_patterns("variables"))
    blessing, pids = run_validator(tmp_path, model_artifact(tmp_path, broken), examples_artifact(tmp_path),
                                   request_spec(), num_tries=2)
    assert (Path(blessing.uri) / "INFRA_NOT_BLESSED").exists()
    assert blessing.get_int_custom_property("blessed") == 0
    reason = blessing.get_string_custom_property("infra_failure")
    assert reason.startswith("attempt 2 of 2: the model did not load:"), reason
    assert len(pids) == 2
    assert_no_server_left(pids)


def test_pusher_given_the_infra_blessing_pushes_the_warmed_model(blessed, tmp_path):
    _, blessing, _ = blessed
    pushed = standard_artifacts.PushedModel()
    pushed.uri = str(tmp_path / "pushed_model")
    destination = tmp_path / "serving" / "penguins"
    exec_properties = {"push_destination": json.dumps(
        {"filesystem": {"base_directory": str(destination)}})}
    pusher_executor.Executor().Do({"infra_blessing": [blessing]}, {"pushed_model": [pushed]},
                                  exec_properties)
    assert pushed.get_int_custom_property("pushed") == 1
    version = destination / pushed.get_string_custom_property("pushed_version")
    assert (version / "saved_model.pb").exists()
    assert len(warmup_records(version)) == NUM_EXAMPLES


def test_pusher_does_not_push_a_model_that_failed_infra_validation(tmp_path):
    blessing = standard_artifacts.InfraBlessing()
    blessing.uri = str(tmp_path / "blessing")
    validator.mark_not_blessed(blessing, "the model did not load")
    pushed = standard_artifacts.PushedModel()
    pushed.uri = str(tmp_path / "pushed_model")
    exec_properties = {"push_destination": json.dumps(
        {"filesystem": {"base_directory": str(tmp_path / "serving")}})}
    pusher_executor.Executor().Do({"infra_blessing": [blessing]}, {"pushed_model": [pushed]},
                                  exec_properties)
    assert pushed.get_int_custom_property("pushed") == 0
    assert not (tmp_path / "serving").exists()


def test_the_pipeline_declarations_share_one_request_spec():
    spec = pipeline.request_spec()
    assert list(spec.tensorflow_serving.signature_names) == ["serving_default"]
    assert spec.make_warmup and spec.split_name == "eval" and spec.num_examples > 0
    assert not pipeline.request_spec(make_warmup=False).make_warmup


def test_pusher_declaration_refuses_a_model_that_was_not_validated():
    example_gen = pipeline.example_gen()
    schema = pipeline.import_schema_gen()
    transform = pipeline.transform(example_gen, schema)
    course, other = pipeline.trainer(transform), pipeline.retrained_trainer(transform)
    evaluator = pipeline.evaluator(example_gen, course)
    infra = pipeline.infra_validator(course, example_gen)
    assert infra.id == "ModelServerInfraValidator"
    pusher = pipeline.pusher(course, evaluator, infra)
    assert pusher.id == "Pusher" and "model" not in pusher.inputs
    assert pusher.inputs["infra_blessing"] is infra.outputs["blessing"]
    with pytest.raises(ValueError, match="push the model that was validated"):
        pipeline.pusher(other, evaluator, infra)
    assert other.id == "retrained_trainer"
    assert json.loads(other.exec_properties["train_args"])["num_steps"] == 2 * config.TRAIN_STEPS
    judged = pipeline.retrained_evaluator(example_gen, other, course)
    assert judged.id == "retrained_evaluator"
    assert judged.inputs["baseline_model"] is course.outputs["model"]


def predict_answer(**outputs) -> predict_pb2.PredictResponse:
    response = predict_pb2.PredictResponse()
    for alias, value in outputs.items():
        response.outputs[alias].CopyFrom(tf.make_tensor_proto(value))
    return response


@pytest.mark.parametrize("outputs, problem", [
    ({"probabilities": [[0.2, 0.8, 0.0]], "class_ids": [[1]]}, None),
    ({"probabilities": [[0.2, 0.8, 0.0], [1.0, 0.0, 0.0]]}, "expected 1 row"),
    ({"probabilities": [[0.2, 0.2, 0.2]]}, "do not sum to 1"),
    ({"probabilities": [[0.2, 0.8, 0.0]], "class_ids": [[3]]}, "outside the model's classes"),
    ({"probabilities": [[0.2, 0.8, 0.0]], "class_ids": [[1, 2]]}, "one class per example"),
    ({}, "no outputs"),
])
def test_every_answer_is_checked(outputs, problem):
    request = predict_pb2.PredictRequest()
    request.inputs["examples"].CopyFrom(tf.make_tensor_proto([b"one example"]))
    found = validator.answer_problem(request, predict_answer(**outputs))
    assert (found is None) if problem is None else (problem in found), found


def test_no_model_server_process_is_left_behind():
    found = subprocess.run(["pgrep", "-f", f"--parent_pid={os.getpid()}"], capture_output=True, text=True)
    assert found.stdout.strip() == "", f"model servers of this test process still run: {found.stdout}"

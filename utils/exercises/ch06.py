"""Checks for chapter 06 (InfraValidator and Pusher).

They read what the chapter's components stored (the Pushers' ``pushed_version``, the infra blessings'
``infra_failure``) and never start a model server: exercise 6.3's config is parsed with TF Serving's own
proto and judged by the version policy of the course's model server (``utils.serving.repository``).
"""

from __future__ import annotations

from utils import paths
from utils.exercises.common import NOT_ATTEMPTED, exercise_check, require

CHAPTER = "06_infra_validator_pusher"

# Exercise 6.2: why a model failed infra validation, and what to change.
CAUSES = {
    "a": "the SavedModel is incomplete: a file the server needs to load it is missing",
    "b": "the model has no signature under the name the requests use",
    "c": "the server (process start and model load together) did not get ready within the time allowed",
    "d": "the model loaded but answered with the wrong shape",
}
FIXES = {
    "w": "export the model again with that signature (the trainer module's signatures), and validate again",
    "x": "change the request spec to a signature the model has, whichever it is",
    "y": "allow more time in the ValidationSpec, after measuring how long a healthy load takes",
    "z": "push the model without infra validation: the Evaluator blessed it",
}
DIAGNOSES = {  # what the infra_failure says -> (cause, fix)
    "could not be found in MetaGraphDef": ("b", "w"),
    "not ready after": ("c", "y"),
}


def make_suspects(context, model_from, examples_from) -> dict:
    """Exercise 6.2's two failed infra validations, run in ``context``: {"A": validator, "B": validator}.
    How they are made is the answer, so it is here rather than in the notebook (read it afterwards)."""
    import os
    import shutil

    import tensorflow as tf
    from tfx import v1 as tfx

    from utils import pipeline
    from utils.components.model_server_validator import ModelServerInfraValidator

    [model] = model_from.outputs["model"].get()
    exported_again = paths.scratch_dir("broken_models") / "exported_again"
    if not (exported_again / "Format-Serving" / "saved_model.pb").exists():  # made once, then imported
        shutil.rmtree(exported_again, ignore_errors=True)
        loaded = tf.saved_model.load(os.path.join(model.uri, "Format-Serving"))
        tf.saved_model.save(loaded, str(exported_again / "Format-Serving"), signatures={
            name: loaded.signatures[name] for name in ("serving_raw", "transform_features")})
    imported = tfx.dsl.Importer(source_uri=str(exported_again),
                                artifact_type=tfx.types.standard_artifacts.Model).with_id("model_exported_again")
    context.run(imported)
    examples = examples_from.outputs["examples"]
    validators = {
        "A": ModelServerInfraValidator(model=imported.outputs["result"], examples=examples,
                                       request_spec=pipeline.request_spec(),
                                       validation_spec=pipeline.validation_spec()).with_id("suspect_a"),
        "B": ModelServerInfraValidator(model=model_from.outputs["model"], examples=examples,
                                       request_spec=pipeline.request_spec(),
                                       validation_spec=tfx.proto.ValidationSpec(max_loading_time_seconds=1,
                                                                                num_tries=1),
                                       ).with_id("suspect_b"),
    }
    for validator in validators.values():
        context.run(validator)
    return validators


def _single(artifact_or_channel):
    if hasattr(artifact_or_channel, "get"):  # a channel
        [artifact] = list(artifact_or_channel.get())
        return artifact
    return artifact_or_channel


def _pushed_version(push) -> int:
    return int(_single(push).get_string_custom_property("pushed_version"))


@exercise_check("6.1", CHAPTER)
def check_06_read_pushes(course_push, retrained_push, answer):
    """6.1: the version of each push, and the one a server with TF Serving's default policy serves."""
    if answer is None:
        return NOT_ATTEMPTED
    require(isinstance(answer, dict) and set(answer) == {"course", "retrained", "served"},
            'answer with a dict {"course": version, "retrained": version, "served": version}')
    require(all(isinstance(v, int) and not isinstance(v, bool) for v in answer.values()),
            "versions are ints: int(...) of the Pusher's pushed_version property (a string), or of the "
            "folder's name")
    course, retrained = _pushed_version(course_push), _pushed_version(retrained_push)
    require(answer["course"] == course and answer["retrained"] == retrained,
            "read each push's version from its PushedModel: "
            'pusher.outputs["pushed_model"].get()[0].get_string_custom_property("pushed_version")')
    require(answer["served"] != course,
            "TF Serving's default version policy is latest { num_versions: 1 }: it serves the highest number "
            "in the folder, not the first push")
    require(answer["served"] == max(course, retrained), '"served": one of the two versions in the folder')
    return (f"course model {course}, retrained model {retrained}; by default a server loads only the highest "
            f"number, {max(course, retrained)}, and serves every request without a version from it")


@exercise_check("6.2", CHAPTER)
def check_06_diagnose_failures(suspects, answer):
    """6.2: for each infra blessing that failed, the cause and the fix (letters of CAUSES and FIXES)."""
    if answer is None:
        return NOT_ATTEMPTED
    require(isinstance(answer, dict) and set(answer) == set(suspects),
            f"answer with a dict with one entry per suspect, {sorted(suspects)}: (cause letter, fix letter)")
    right = {}
    for name, blessing in suspects.items():
        reason = _single(blessing).get_string_custom_property("infra_failure")
        right[name] = next(pair for marker, pair in DIAGNOSES.items() if marker in reason)
    for name in sorted(suspects):
        given = answer[name]
        require(isinstance(given, tuple) and len(given) == 2,
                f'"{name}": a pair (cause letter, fix letter), e.g. ("a", "w")')
        cause, fix = given
        require(cause in CAUSES and fix in FIXES,
                f'"{name}": a cause among {sorted(CAUSES)} and a fix among {sorted(FIXES)}')
        require(cause != "d", f'"{name}": no answer was checked: read infra_failure, it says where it '
                              "stopped (building the requests, starting the server, loading)")
        require(cause == right[name][0],
                f'"{name}": read its blessing\'s infra_failure property: what did the validator fail to do?')
        require(fix != "z", f'"{name}": a model the server cannot load or answer from would fail in '
                            "production too; the Evaluator never ran it in a server")
        require(fix != "x", f'"{name}": the requests use the signature the clients call (serving_default, '
                            "request_spec); a spec changed until the check passes checks nothing")
        require(fix == right[name][1], f'"{name}": the fix must remove the cause you named')
    return ("; ".join(f"{name}: {CAUSES[right[name][0]]}" for name in sorted(suspects))
            + ". The blessing's infra_failure says where validation stopped, the executor's log says why")


def _versions_in(folder) -> list[int]:
    return sorted(int(p.name) for p in folder.iterdir() if p.name.isdigit()) if folder.is_dir() else []


@exercise_check("6.3", CHAPTER)
def check_06_rollback(config_text, course_push, retrained_push, base_path=None):
    """6.3: a ModelServerConfig that serves the course model's version to requests naming no version,
    keeps the retrained version's folder, and labels nothing that is not loaded."""
    from google.protobuf import text_format
    from tensorflow_serving.config import model_server_config_pb2

    from utils.serving.repository import keep_by_policy  # imports TensorFlow: only when a check runs

    if config_text is None:
        return NOT_ATTEMPTED
    require(isinstance(config_text, str), "answer with the config as text (a Python string)")
    config = model_server_config_pb2.ModelServerConfig()
    try:
        text_format.Parse(config_text, config)
    except text_format.ParseError as e:
        require(False, f"TF Serving cannot parse it: {e}. Start from "
                       "model_config_list { config { ... } }")
    models = list(config.model_config_list.config)
    require(len(models) == 1, f"one model in model_config_list, not {len(models)}")
    [model] = models
    require(model.name == "penguins", f'the clients call the model "penguins", not "{model.name}"')
    base = base_path or paths.serving_dir("penguins")
    require(model.base_path == str(base), f"base_path: the Pusher's folder, as an absolute path: {base}")
    course, retrained = _pushed_version(course_push), _pushed_version(retrained_push)
    ready = sorted(set(_versions_in(base)) | {course, retrained})
    loaded = keep_by_policy(model.model_version_policy, ready)
    require(loaded, "the policy loads no version at all: name versions that are in the folder")
    require(retrained not in loaded,
            f"the retrained version {retrained} is still loaded, and a request that names no version goes "
            "to the highest loaded version: a label alone changes nothing for those clients")
    require(course in loaded, f"the course model's version {course} is not loaded: nothing to roll back to")
    require(loaded == {course}, f"load the course model's version only; this policy loads {sorted(loaded)}")
    for label, version in model.version_labels.items():
        require(version in loaded, f'label "{label}" points to version {version}, which is not loaded: TF '
                                   "Serving refuses a label on a version that is not available")
    return (f"the server unloads {retrained} and serves {course} at its next poll; the folder keeps both, so "
            f"rolling forward again is one line of config")

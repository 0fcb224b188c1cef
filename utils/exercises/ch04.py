"""Checks for chapter 04 (Trainer and Tuner)."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from utils import config, data, examples, paths, schema, training
from utils.exercises.common import (
    NOT_ATTEMPTED,
    ExerciseError,
    exercise_check,
    load_student_module,
    require,
)

CHAPTER = "04_trainer_tuner"

# Exercise 4.1: a penguin from a field notebook, as a JSON client would send it (None = not recorded).
FIELD_PENGUIN = {"island": "Dream", "bill_length_mm": 49.0, "bill_depth_mm": 18.5,
                 "flipper_length_mm": 195.0, "body_mass_g": None, "sex": None}

# Exercise 4.3: a difference of this many eval predictions (or fewer) between two trials is noise.
NOISE_PREDICTIONS = 2


def _settings():
    from utils.tfx_modules.trainer import model_settings
    return model_settings


def eval_predictions() -> int:
    """How many predictions a Tuner trial's val_accuracy is measured on: EVAL_STEPS batches of BATCH_SIZE."""
    return config.EVAL_STEPS * _settings().BATCH_SIZE


def serving_model(trainer):
    """A Trainer's exported model (its ``model`` output, or the folder), loaded as a model server loads it."""
    import tensorflow as tf

    folder = trainer.outputs["model"] if hasattr(trainer, "outputs") else trainer
    folder = Path(training.uri(folder))
    if (folder / "Format-Serving").is_dir():
        folder = folder / "Format-Serving"
    return tf.saved_model.load(str(folder))


def raw_request(penguin: dict) -> dict:
    """The raw signature's inputs for one penguin: every key, NaN for a missing number, "" for a missing
    string (the module's MISSING_NUMBER and MISSING_STRING)."""
    import tensorflow as tf

    settings = _settings()
    inputs = {}
    for name, value in penguin.items():
        if name in config.CATEGORICAL_FEATURES:
            inputs[name] = tf.constant([settings.MISSING_STRING if value is None else value])
        else:
            inputs[name] = tf.constant([settings.MISSING_NUMBER if value is None else float(value)],
                                       dtype=tf.float32)
    return inputs


def _probabilities(loaded, penguin: dict) -> list[float]:
    settings = _settings()
    outputs = loaded.signatures[settings.RAW_SIGNATURE](**raw_request(penguin))
    return [float(p) for p in outputs[settings.PROBABILITIES].numpy()[0]]


def _as_numbers(answer) -> list[float] | None:
    try:
        import numpy as np

        values = np.asarray(answer, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        return None
    return [float(v) for v in values]


def _close(a, b, tolerance: float = 1e-4) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


@exercise_check("4.1", CHAPTER)
def check_04_field_penguin(trainer, field_probabilities) -> str:
    """Exercise 4.1: the probabilities the raw signature gives FIELD_PENGUIN (no body mass, no sex)."""
    if field_probabilities is None:
        return NOT_ATTEMPTED
    require(not isinstance(field_probabilities, str | bytes),
            "give the three probabilities (outputs['probabilities']), not the class name")
    got = _as_numbers(field_probabilities)
    require(got is not None and len(got) == len(config.LABELS),
            f"expected {len(config.LABELS)} numbers, one probability per species in the order "
            f"{list(config.LABELS)}: e.g. outputs['probabilities'].numpy()[0].tolist()")
    loaded = serving_model(trainer)
    right = _probabilities(loaded, FIELD_PENGUIN)
    zeros = _probabilities(loaded, {**FIELD_PENGUIN, "body_mass_g": 0.0})
    require(not _close(got, zeros) or _close(zeros, right),
            "you sent 0 for the missing body mass: to the model that is a penguin of 0 g, far below every "
            "training bird; a JSON client says 'missing' with NaN for a number (and \"\" for a string)")
    require(abs(sum(got) - 1) < 1e-3,
            f"the three numbers add up to {sum(got):.3f}, not 1: give the probabilities, not logits or "
            "class ids")
    require(_close(got, right),
            "not what serving_raw answers for this penguin: send all six keys, body_mass_g=NaN and sex=\"\" "
            "for the values the field notebook lacks, each as a one-element tensor (a batch of one)")
    species = config.LABELS[max(range(len(right)), key=right.__getitem__)]
    said = ", ".join(f"{name} {p:.2f}" for name, p in zip(config.LABELS, right, strict=True))
    return f"serving_raw gives {said}: a {species}, without body mass and sex."


# Exercise 4.2: the student's module file, with their own export(model, tf_transform_output, dir).

class _NotAttempted(Exception):
    """The student's export is still the skeleton (returns None, or raises NotImplementedError)."""


def load_module(module_file):
    """The student's module file as a fresh Python module (edits are picked up at every call)."""
    hint = "the module file must define {}(...) (the Trainer calls run_fn, which calls export)"
    return load_student_module(module_file, "04", {name: hint.format(name) for name in ("run_fn", "export")})


def serving_requests() -> list[bytes]:
    """The shipped serving penguins as serialized tf.Examples (typed by the curated schema), and one more
    without body mass and sex: what a client sends to serving_default."""
    kinds = examples.schema_kinds(schema.load(paths.CURATED_SCHEMA))
    requests = examples.csv_examples(data.dataset_file("penguins/serving"), kinds=kinds)
    gaps = {**FIELD_PENGUIN, "flipper_length_mm": 195}
    requests.append(examples.example_from_values({k: v for k, v in gaps.items() if v is not None}, kinds))
    return [r.SerializeToString() for r in requests]


def _last_line(error: BaseException) -> str:
    """What went wrong, without TensorFlow's traceback of the traced code: the last line naming an error."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    named = [line for line in lines if "Error" in line.split(":")[0]]
    return (named or lines or [""])[-1][:300]


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:300] if text else ""


def _export_with(module, output, model, folder: str) -> None:
    try:
        module.export(model, output, folder)
    except NotImplementedError as error:
        raise _NotAttempted from error
    except Exception as error:  # the student's export failed while tracing or saving
        message = str(error)
        require("untracked" not in message.lower(),
                "tf.saved_model.save refused a resource the signature uses but the model does not track: "
                "keep the transform layer as an attribute of the model (model.tft_layer = "
                "tf_transform_output.transform_features_layer()) and call that attribute in the signature, "
                "so that its tables and vocabulary files are saved with the model")
        require("Unexpected inputs to transform" not in message,
                "the transform layer got transformed features (*_xf): parse the requests with the *raw* "
                "feature spec (tf_transform_output.raw_feature_spec(), without the label), since clients "
                "send raw penguins, then run model.tft_layer on them")
        require(not (isinstance(error, KeyError) and "_xf" in message),
                f"the model reads transformed features, and {message} is not among the parsed ones: run "
                "model.tft_layer on the parsed raw features first, then give the model its inputs "
                "(model.input_names)")
        raise ExerciseError(f"your export failed: {type(error).__name__}: {_last_line(error)}") from error
    if not (Path(folder) / "saved_model.pb").is_file():
        if "# your answer" in Path(module.__file__).read_text():
            raise _NotAttempted
        raise ExerciseError("export() returned, but saved nothing in serving_model_dir: end it with "
                            "tf.saved_model.save(model, serving_model_dir, signatures={...})")


def _serving_default(loaded):
    import tensorflow as tf

    settings = _settings()
    require(settings.EXAMPLES_SIGNATURE in loaded.signatures,
            f"the SavedModel's signatures are {sorted(loaded.signatures)}: save with signatures="
            f"{{'{settings.EXAMPLES_SIGNATURE}': serve.get_concrete_function()}} (what Evaluator and "
            "InfraValidator call)")
    function = loaded.signatures[settings.EXAMPLES_SIGNATURE]
    inputs = function.structured_input_signature[1]
    require(set(inputs) == {settings.EXAMPLES_INPUT} and inputs[settings.EXAMPLES_INPUT].dtype == tf.string,
            f"serving_default takes {sorted(inputs)}; it should take one string tensor named "
            f"'{settings.EXAMPLES_INPUT}': tf.TensorSpec([None], tf.string, "
            f"name='{settings.EXAMPLES_INPUT}')")
    return function


def _answers(function, requests: list[bytes]):
    import tensorflow as tf

    settings = _settings()
    try:
        outputs = function(**{settings.EXAMPLES_INPUT: tf.constant(requests)})
    except tf.errors.InvalidArgumentError as error:
        raise ExerciseError(
            "serving_default could not read the serialized penguins: parse them with the *raw* feature spec "
            "(tf_transform_output.raw_feature_spec(), without the label), since clients send raw penguins; "
            f"the transformed spec expects *_xf features. TensorFlow said: {_first_line(error)}") from error
    require(settings.PROBABILITIES in outputs,
            f"serving_default returns {sorted(outputs)}: return a dict {{'{settings.PROBABILITIES}': "
            "the model's output}}")
    return outputs[settings.PROBABILITIES].numpy()


def _in_process(model, output, requests: list[bytes]):
    """The same model in this process: parse, transform with the graph, predict."""
    import tensorflow as tf

    raw_spec = output.raw_feature_spec()
    raw_spec.pop(config.LABEL_KEY)
    transformed = output.transform_raw_features(tf.io.parse_example(requests, raw_spec))
    return model({name: transformed[name] for name in model.input_names}).numpy()


def _transform_output(transform):
    import tensorflow_transform as tft

    if hasattr(transform, "outputs"):
        transform = transform.outputs["transform_graph"]
    return tft.TFTransformOutput(training.uri(transform))


@exercise_check("4.2", CHAPTER)
def check_04_my_export(module_file, transform=None, my_trainer=None, course_trainer=None) -> str:
    """Exercise 4.2: a module file whose export() saves serving_default with the transform graph inside.
    First on an untrained course model in this process (its SavedModel must answer the serving penguins as
    the model does after the transform graph); then, given the Trainer run on the module file and the
    course's Trainer, the two exported models must answer alike through serving_default. The course's
    other two signatures are not asked for: serving_raw is for JSON clients and transform_features for the
    Evaluator, and the exercise's model is never served nor evaluated (chapters 05-07 use the course
    model)."""
    if module_file is None:
        return NOT_ATTEMPTED
    import numpy as np
    import tensorflow as tf

    from utils.tfx_modules.trainer import penguin_trainer as course

    module = load_module(module_file)
    require(transform is not None, "give the course's Transform too: check_04_my_export(my_module_file, "
            "transform)")
    output = _transform_output(transform)
    requests = serving_requests()
    course.reset()
    model = course.build_model(output, course.hyperparameters(None))
    with tempfile.TemporaryDirectory() as folder:
        try:
            _export_with(module, output, model, folder)
        except _NotAttempted:
            return NOT_ATTEMPTED
        got = _answers(_serving_default(tf.saved_model.load(folder)), requests)
    expected = _in_process(model, output, requests)
    require(got.shape == expected.shape,
            f"serving_default gave probabilities of shape {list(got.shape)}, expected {list(expected.shape)} "
            "(one row of three per request)")
    require(np.allclose(got, expected, atol=1e-5),
            "serving_default answers, but not as the model does on the transformed penguins: apply "
            "model.tft_layer to the parsed raw features, then give the model its transformed inputs "
            "(model.input_names)")
    first = (f"your export answers {len(requests)} serialized penguins (one without body mass and sex) "
             "exactly as the model does after the transform graph (serving_default is all this model "
             "needs: the course's export adds serving_raw for JSON clients and transform_features for the "
             "Evaluator)")
    if my_trainer is None:
        return first
    require(course_trainer is not None, "give the course's Trainer too, to compare your model with it")
    mine = _answers(_serving_default(serving_model(my_trainer)), requests)
    course_answers = _answers(serving_model(course_trainer).signatures[_settings().EXAMPLES_SIGNATURE],
                              requests)
    largest = float(np.abs(mine - course_answers).max())
    require(largest < 1e-5,
            f"your Trainer's model differs from the course model by up to {largest:.3g} in a probability: "
            "the export is right, so the training differs; keep run_fn as given (course.reset() first, the "
            "Trainer's hyperparameters) and give your Trainer the same inputs and arguments as the course's")
    return (f"{first}. Your Trainer's model answers them as the course model does "
            f"(largest difference {largest:.1g}).")


# Exercise 4.3: read the Tuner's trials, and choose.

def _weights(output, values: dict) -> int:
    from utils.tfx_modules.trainer import penguin_trainer as course

    return course.build_model(output, course.hyperparameters({"values": values})).count_params()


def trial_facts(tuner, transform) -> dict:
    """Per trial id: its score, how many eval predictions it is behind the best, and its weights."""
    table = training.trials_table(tuner.outputs["tuner_results"] if hasattr(tuner, "outputs") else tuner)
    output = _transform_output(transform)
    names = list(_settings().SEARCH_SPACE)
    best = table["score"].max()
    return {str(trial): {"score": float(row["score"]),
                         "behind": round((best - row["score"]) * eval_predictions()),
                         "weights": _weights(output, {name: row[name] for name in names})}
            for trial, row in table.to_dict("index").items()}  # (iterrows would make every value a float)


@exercise_check("4.3", CHAPTER)
def check_04_read_trials(tuner, transform, answer) -> str:
    """Exercise 4.3: the margin between the Tuner's best two trials in eval predictions, and which trial
    to ship: the fewest weights among the trials within NOISE_PREDICTIONS of the best."""
    if answer is None:
        return NOT_ATTEMPTED
    require(isinstance(answer, dict) and set(answer) == {"margin", "ship"},
            f"expected a dict with the keys 'margin' and 'ship', got {answer!r}")
    facts = trial_facts(tuner, transform)
    n = eval_predictions()
    ranked = sorted(facts, key=lambda t: facts[t]["behind"])
    margin = facts[ranked[1]]["behind"] if len(ranked) > 1 else 0
    given = answer["margin"]
    require(isinstance(given, int | float) and not isinstance(given, bool),
            f"'margin' should be a number of predictions (an int), got {given!r}")
    require(not (0 < given < 1 and math.isclose(given, margin / n, abs_tol=1e-6)),
            f"{given} is the difference in accuracy, a share; in predictions it is share x {n} "
            f"(EVAL_STEPS {config.EVAL_STEPS} batches of BATCH_SIZE {_settings().BATCH_SIZE})")
    require(given == margin,
            f"the best two trials' scores differ by {margin} of {n} eval predictions, not {given}: subtract "
            f"the scores in training.trials_table(...) and multiply by {n}")
    ship = str(answer["ship"])
    require(ship in facts, f"'ship' should be a trial id of the table, one of {sorted(facts)}; got {ship!r}")
    close = [t for t in facts if facts[t]["behind"] <= NOISE_PREDICTIONS]
    right = min(close, key=lambda t: (facts[t]["weights"], facts[t]["behind"], t))
    require(facts[ship]["behind"] <= NOISE_PREDICTIONS,
            f"trial {ship} is {facts[ship]['behind']} predictions behind the best, more than the "
            f"{NOISE_PREDICTIONS} that another shuffle could change; choose among {sorted(close)}")
    require(ship == right,
            f"trial {ship} is within noise of the best, but it has {facts[ship]['weights']} weights and "
            f"trial {right} {facts[right]['weights']}: when the scores cannot tell them apart, ship the "
            "smaller model (cheaper to serve, less room to overfit); count with "
            "penguin_trainer.build_model(...).count_params()")
    return (f"the best two trials are {margin} of {n} predictions apart; trial {right} "
            f"({facts[right]['weights']} weights) is the smallest within {NOISE_PREDICTIONS} predictions "
            "of the best.")

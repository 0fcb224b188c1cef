"""Chapter 04's checks: right answers pass, wrong ones fail with a hint, None waits.

They run on the model tests/penguin_model.py trains once per session (the course's run_fn on 86 penguins).
Exercise 4.2's answers are module files, written as a student's %%writefile cell would; each wrong export
costs a tf.saved_model.save, so only the mistakes that teach something are tried.
"""

import json
import textwrap

import pytest

from tests.exercise_testing import assert_not_attempted, assert_wrong
from tests.penguin_model import shared_trained
from utils import config, exercises
from utils.exercises import ch04
from utils.tfx_modules.trainer import model_settings as settings
from utils.tfx_modules.trainer import penguin_trainer as course


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return shared_trained(tmp_path_factory)


@pytest.fixture(scope="module")
def model_dir(trained):
    return trained.serving_model_dir


@pytest.fixture(scope="module")
def graph_dir(trained):
    return trained.transform_graph_path


def test_none_means_not_attempted(capsys):
    assert_not_attempted(exercises.check_04_field_penguin("unused", None))
    assert_not_attempted(exercises.check_04_my_export(None))
    assert_not_attempted(exercises.check_04_read_trials("unused", "unused", None))
    assert capsys.readouterr().out.count("not attempted yet") == 3


# Exercise 4.1 -------------------------------------------------------------------------------------------

def field_probabilities(model_dir, **changes):
    loaded = ch04.serving_model(model_dir)
    inputs = ch04.raw_request({**ch04.FIELD_PENGUIN, **changes})
    return loaded.signatures[settings.RAW_SIGNATURE](**inputs)[settings.PROBABILITIES].numpy()


def test_the_raw_signatures_answer_passes_also_as_an_array(model_dir):
    answer = field_probabilities(model_dir)
    assert exercises.check_04_field_penguin(model_dir, answer)  # shape [1, 3]
    assert exercises.check_04_field_penguin(model_dir, answer[0].tolist())


def test_the_examples_route_gives_the_same_answer(model_dir):
    """A tf.Example without body mass and sex is the same request: the check accepts it."""
    import tensorflow as tf

    loaded = ch04.serving_model(model_dir)
    kinds = {"island": "bytes", "bill_length_mm": "float", "bill_depth_mm": "float",
             "flipper_length_mm": "int"}
    from utils import examples
    present = {k: v if k != "flipper_length_mm" else int(v) for k, v in ch04.FIELD_PENGUIN.items()
               if v is not None}
    example = examples.example_from_values(present, kinds).SerializeToString()
    answer = loaded.signatures[settings.EXAMPLES_SIGNATURE](examples=tf.constant([example]))
    assert exercises.check_04_field_penguin(model_dir, answer[settings.PROBABILITIES].numpy())


@pytest.mark.parametrize("mistake, hint", [
    ("zero_mass", "you sent 0 for the missing body mass"),
    ("class_name", "not the class name"),
    ("two_numbers", "expected 3 numbers"),
    ("not_summing_to_one", "add up to"),
    ("other_penguin", "not what serving_raw answers"),
])
def test_a_wrong_field_answer_fails_with_a_hint(model_dir, mistake, hint):
    right = field_probabilities(model_dir)[0].tolist()
    answers = {
        "zero_mass": field_probabilities(model_dir, body_mass_g=0.0)[0].tolist(),
        "class_name": "Chinstrap",
        "two_numbers": right[:2],
        "not_summing_to_one": [2 * p for p in right],
        "other_penguin": field_probabilities(model_dir, island="Biscoe", bill_depth_mm=14.0)[0].tolist(),
    }
    assert_wrong(exercises.check_04_field_penguin(model_dir, answers[mistake]), hint)


# Exercise 4.2 -------------------------------------------------------------------------------------------

RUN_FN = '''
def run_fn(fn_args) -> None:
    course.check_steps(fn_args)
    course.reset()
    tf_transform_output = tft.TFTransformOutput(fn_args.transform_graph_path)
    model = course.build_model(tf_transform_output, course.hyperparameters(fn_args.hyperparameters))
    model.fit(**course.fit_arguments(fn_args, tf_transform_output))
    export(model, tf_transform_output, fn_args.serving_model_dir)
'''
HEADER = '''
import tensorflow as tf
import tensorflow_transform as tft

from utils.tfx_modules.trainer import penguin_trainer as course
'''
RIGHT_EXPORT = '''
def export(model, tf_transform_output, serving_model_dir):
    model.tft_layer = tf_transform_output.transform_features_layer()
    raw_spec = tf_transform_output.raw_feature_spec()
    raw_spec.pop("species")

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="examples")])
    def serve(serialized):
        transformed = model.tft_layer(tf.io.parse_example(serialized, raw_spec))
        return {"probabilities": model({name: transformed[name] for name in model.input_names})}

    tf.saved_model.save(model, serving_model_dir,
                        signatures={"serving_default": serve.get_concrete_function()})
'''
WRONG_EXPORTS = {
    "untracked_layer": (RIGHT_EXPORT.replace("model.tft_layer = tf_transform", "layer = tf_transform")
                        .replace("model.tft_layer(", "layer("), "keep the transform layer as an attribute"),
    "transformed_spec": (RIGHT_EXPORT.replace("raw_spec = tf_transform_output.raw_feature_spec()",
                                              "raw_spec = tf_transform_output.transformed_feature_spec()")
                         .replace('raw_spec.pop("species")', 'raw_spec.pop("species_xf")'),
                         "the transform layer got transformed features"),
    "wrong_signature_name": (RIGHT_EXPORT.replace('signatures={"serving_default"', 'signatures={"predict"'),
                             "signatures are \\['predict'\\]"),
    "bare_tensor": (RIGHT_EXPORT.replace('return {"probabilities": model(', "return (model(")
                    .replace("model.input_names})}", "model.input_names}))"), "return a dict"),
    "no_transform": (RIGHT_EXPORT.replace("model.tft_layer(tf.io.parse_example(serialized, raw_spec))",
                                          "tf.io.parse_example(serialized, raw_spec)"),
                     "run model.tft_layer on the parsed raw features first"),
}


def module_file(tmp_path, export_code: str):
    path = tmp_path / "my_export.py"
    path.write_text(textwrap.dedent(HEADER) + textwrap.dedent(export_code) + textwrap.dedent(RUN_FN))
    return path


def test_the_skeleton_is_not_attempted(tmp_path, graph_dir):
    skeleton = ("def export(model, tf_transform_output, serving_model_dir):\n"
                "    return None  # your answer: replace this line with your code\n")
    assert_not_attempted(exercises.check_04_my_export(module_file(tmp_path, skeleton), graph_dir))


def test_an_export_that_saves_nothing_fails_with_a_hint(tmp_path, graph_dir):
    forgot = "def export(model, tf_transform_output, serving_model_dir):\n    model.tft_layer = None\n"
    assert_wrong(exercises.check_04_my_export(module_file(tmp_path, forgot), graph_dir), "saved nothing")


def test_the_right_export_passes(tmp_path, graph_dir):
    assert exercises.check_04_my_export(module_file(tmp_path, RIGHT_EXPORT), graph_dir)


def test_the_course_export_passes_too(tmp_path, graph_dir):
    """penguin_trainer.export (three signatures: serving_default and two more the exercise does not ask for)
    is one answer."""
    assert exercises.check_04_my_export(module_file(tmp_path, "export = course.export\n"), graph_dir)


@pytest.mark.parametrize("mistake", sorted(WRONG_EXPORTS))
def test_a_wrong_export_fails_with_a_hint(tmp_path, graph_dir, mistake):
    code, hint = WRONG_EXPORTS[mistake]
    assert_wrong(exercises.check_04_my_export(module_file(tmp_path, code), graph_dir), hint)


def test_a_module_without_run_fn_or_not_loading_fails_with_a_hint(tmp_path, graph_dir):
    path = tmp_path / "no_run_fn.py"
    path.write_text(textwrap.dedent(HEADER) + textwrap.dedent(RIGHT_EXPORT))
    assert_wrong(exercises.check_04_my_export(path, graph_dir), "must define run_fn")
    broken = tmp_path / "broken.py"
    broken.write_text("import tensorflow as tf\ndef export(:\n")
    assert_wrong(exercises.check_04_my_export(broken, graph_dir), "does not load")
    failing = tmp_path / "failing.py"
    failing.write_text(textwrap.dedent(HEADER) + textwrap.dedent(RUN_FN)
                       + "\n\ndef export(model, output, folder):\n    raise RuntimeError('disk full')\n")
    assert_wrong(exercises.check_04_my_export(failing, graph_dir),
                 "your export failed: RuntimeError: disk full")


def test_the_trainers_model_is_compared_with_the_course_model(tmp_path, graph_dir, model_dir):
    right = module_file(tmp_path, RIGHT_EXPORT)
    assert exercises.check_04_my_export(right, graph_dir, model_dir, model_dir)
    import tensorflow_transform as tft
    untrained_dir = str(tmp_path / "untrained")
    course.reset()
    output = tft.TFTransformOutput(graph_dir)
    course.export(course.build_model(output, course.hyperparameters(None)), output, untrained_dir)
    assert_wrong(exercises.check_04_my_export(right, graph_dir, untrained_dir, model_dir),
                 "the training differs")


# Exercise 4.3 -------------------------------------------------------------------------------------------

# The best trial is large; one prediction behind it, a smaller one; far behind, the smallest.
TRIALS = [
    {"trial_id": "3", "score": 127 / 128, "hidden_units": 32, "hidden_layers": 1, "learning_rate": 0.01},
    {"trial_id": "1", "score": 126 / 128, "hidden_units": 8, "hidden_layers": 2, "learning_rate": 0.01},
    {"trial_id": "0", "score": 120 / 128, "hidden_units": 8, "hidden_layers": 1, "learning_rate": 0.003},
]


@pytest.fixture(scope="module")
def tuner_results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tuner_results")
    (folder / "tuner_results.json").write_text(json.dumps(TRIALS))
    return str(folder)


def test_the_margin_in_predictions_and_the_smallest_close_trial_pass(tuner_results, graph_dir):
    assert ch04.eval_predictions() == config.EVAL_STEPS * settings.BATCH_SIZE == 128
    facts = ch04.trial_facts(tuner_results, graph_dir)
    assert [facts[t]["behind"] for t in ("3", "1", "0")] == [0, 1, 7]
    assert facts["1"]["weights"] < facts["3"]["weights"]
    assert exercises.check_04_read_trials(tuner_results, graph_dir, {"margin": 1, "ship": "1"})
    assert exercises.check_04_read_trials(tuner_results, graph_dir, {"margin": 1, "ship": 1})


@pytest.mark.parametrize("answer, hint", [
    ({"margin": 1 / 128, "ship": "1"}, "a share; in predictions"),
    ({"margin": 2, "ship": "1"}, "differ by 1 of 128 eval predictions, not 2"),
    ({"margin": 1, "ship": "3"}, "ship the smaller model"),
    ({"margin": 1, "ship": "0"}, "7 predictions behind the best"),
    ({"margin": 1, "ship": "9"}, "a trial id of the table"),
    ({"margin": "one", "ship": "1"}, "a number of predictions"),
    ({"ship": "1"}, "the keys 'margin' and 'ship'"),
])
def test_a_wrong_trial_choice_fails_with_a_hint(tuner_results, graph_dir, answer, hint):
    assert_wrong(exercises.check_04_read_trials(tuner_results, graph_dir, answer), hint)

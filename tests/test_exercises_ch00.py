"""Chapter 00's checks: right answers pass, wrong ones fail with a hint, None waits.

Exercise 0.1 runs a TFLite file: the fixture trains chapter 00's small classifier once (about a second)
and converts it, as the notebook does.
"""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from tests.exercise_testing import assert_not_attempted, assert_wrong
from utils import config, exercises
from utils import penguin_classifier as pc
from utils.exercises import ch00

PENGUIN = {"bill_length_mm": 47.5, "bill_depth_mm": 15.0, "flipper_length_mm": 218, "body_mass_g": 4950}
MEANS = {"Biscoe": 4674.3, "Dream": 3725.0, "Torgersen": 3805.9}  # the training table of the notebook


@pytest.fixture(scope="module")
def tflite_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ch00")
    run = pc.train(dataclasses.replace(pc.DEVELOPMENT, seed=pc.PRODUCTION.seed))
    path = folder / "penguins.tflite"
    converter = tf.lite.TFLiteConverter.from_saved_model(pc.export(run.model, folder / "model"))
    path.write_bytes(converter.convert())
    return path


@pytest.fixture
def probabilities(tflite_file):
    row = np.array([[PENGUIN[name] for name in pc.MEASUREMENTS]], dtype=np.float32)
    return ch00.tflite_probabilities(tflite_file, row)[0]


def test_none_means_not_attempted(capsys):
    assert_not_attempted(exercises.check_00_tflite_species("unused", PENGUIN, None))
    assert_not_attempted(exercises.check_00_tooling(None))
    assert_not_attempted(exercises.check_00_incident(None, "unused", MEANS))
    assert capsys.readouterr().out.count("not attempted yet") == 3


def test_the_check_uses_the_model_s_feature_order():
    assert ch00.MEASUREMENTS == pc.MEASUREMENTS


def test_the_predicted_species_passes(tflite_file, probabilities, capsys):
    species = config.LABELS[int(probabilities.argmax())]
    assert species == "Gentoo", "a long, shallow bill, long flippers, heavy: a Gentoo"
    assert exercises.check_00_tflite_species(tflite_file, PENGUIN, species)
    assert "The TFLite model says Gentoo" in capsys.readouterr().out


def test_a_wrong_species_fails_with_a_hint(tflite_file, probabilities):
    right, least = int(probabilities.argmax()), int(probabilities.argmin())
    [middle] = set(range(len(config.LABELS))) - {right, least}
    assert_wrong(exercises.check_00_tflite_species(tflite_file, PENGUIN, right), "index of a class")
    assert_wrong(exercises.check_00_tflite_species(tflite_file, PENGUIN, np.int64(right)), "index of a class")
    assert_wrong(exercises.check_00_tflite_species(tflite_file, PENGUIN, config.LABELS[least]), "least")
    assert_wrong(exercises.check_00_tflite_species(tflite_file, PENGUIN, config.LABELS[middle]),
                 "model's order|does not predict")
    assert_wrong(exercises.check_00_tflite_species(tflite_file, PENGUIN, "Emperor"), "not one of the species")
    assert_wrong(exercises.check_00_tflite_species(tflite_file, PENGUIN, ["Gentoo"]),
                 "expected the species name")
    assert_wrong(exercises.check_00_tflite_species(tflite_file.parent / "none.tflite", PENGUIN, "Gentoo"),
                 "does not exist")


def test_features_in_the_wrong_order_get_the_order_hint(tflite_file):
    """A bird whose measurements, reversed, make the model say another species."""
    for bill_length in np.arange(35.0, 55.0, 0.5):
        penguin = {**PENGUIN, "bill_length_mm": float(bill_length)}
        in_order = np.array([[penguin[n] for n in pc.MEASUREMENTS]], dtype=np.float32)
        right = ch00.tflite_probabilities(tflite_file, in_order)[0].argmax()
        reversed_ = ch00.tflite_probabilities(tflite_file, in_order[:, ::-1].copy())[0]
        if reversed_.argmax() != right and reversed_.argmin() != reversed_.argmax():
            species = config.LABELS[reversed_.argmax()]
            verdict = exercises.check_00_tflite_species(tflite_file, penguin, species)
            assert_wrong(verdict, "reversed order|least")
            return
    pytest.skip("no bill length makes the reversed order give another species")


RIGHT_TOOLING = {"field_app": ("TFLite", "frozen"), "serving": ("SavedModel", "looked-up"),
                 "dotnet": ("ONNX", "looked-up"), "sensor": ("TFLite", "frozen")}


def test_the_right_tooling_passes():
    assert exercises.check_00_tooling(RIGHT_TOOLING)
    assert exercises.check_00_tooling({**RIGHT_TOOLING, "field_app": ["ONNX", "frozen"]}), "ONNX mobile too"
    assert set(exercises.TOOLING_SITUATIONS) == set(RIGHT_TOOLING)


@pytest.mark.parametrize("change, hint", [
    ({"field_app": ("SavedModel", "frozen")}, "needs TensorFlow itself"),
    ({"field_app": ("TFLite", "looked-up")}, "offline for weeks"),
    ({"serving": ("SavedModel", "frozen")}, "every night"),
    ({"serving": ("TFLite", "looked-up")}, "TensorFlow Serving serves SavedModels"),
    ({"dotnet": ("TFLite", "looked-up")}, "not .NET"),
    ({"dotnet": ("SavedModel", "looked-up")}, "no TensorFlow on those servers"),
    ({"sensor": ("ONNX", "frozen")}, "bare metal"),
    ({"sensor": ("TFLite", "looked-up")}, "never goes online"),
    ({"sensor": ("tflite", "frozen")}, "the format is one of"),
    ({"sensor": ("TFLite", "dynamic")}, "data access is one of"),
    ({"sensor": "TFLite"}, "answer with a pair"),
])
def test_a_wrong_tooling_choice_fails_with_a_hint(change, hint):
    assert_wrong(exercises.check_00_tooling({**RIGHT_TOOLING, **change}), hint)


def test_a_tooling_table_with_missing_or_unknown_rows_fails():
    assert_wrong(exercises.check_00_tooling({"field_app": ("TFLite", "frozen")}), "missing")
    assert_wrong(exercises.check_00_tooling({**RIGHT_TOOLING, "phone": ("TFLite", "frozen")}),
                 "unknown situations")
    assert_wrong(exercises.check_00_tooling([("TFLite", "frozen")]), "expected a dict")


@pytest.fixture
def monday_db(tmp_path):
    return exercises.monday_database(tmp_path / "monday.sqlite", MEANS)


def test_the_incident_s_cause_passes(monday_db, capsys):
    assert exercises.check_00_incident(("lookup table", "Dream"), monday_db, MEANS)
    assert "kilograms" in capsys.readouterr().out


@pytest.mark.parametrize("cause, hint", [
    (("model", "Dream"), "nobody deployed a model"),
    (("runtime", None), "how fast an answer comes"),
    (("requests", None), "same 2009 penguins"),
    (("lookup table", "Biscoe"), "changed too"),
    (("lookup table", "Torgersen"), "holds what training used"),
    (("lookup table", "Anvers"), "not an island of the table"),
    (("database", "Dream"), "the component is one of"),
    ("Dream", "answer with a pair"),
])
def test_a_wrong_incident_cause_fails_with_a_hint(monday_db, cause, hint):
    assert_wrong(exercises.check_00_incident(cause, monday_db, MEANS), hint)


def test_monday_s_table_holds_a_small_and_a_large_change(monday_db):
    changes = ch00._changes(monday_db, MEANS)
    assert changes["Torgersen"] == 0 and 0 < changes["Biscoe"] < 0.05 and changes["Dream"] > 0.99

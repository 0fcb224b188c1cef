"""Chapter 10's machinery (utils/risk/, utils/model_card.py) on small hand-made inputs whose answers can be
worked out by hand; the preprocessing-bug test on the course's real preprocessing_fn and its buggy variant."""

import math

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf
from art.attacks.evasion import FastGradientMethod

from utils import config, model_card, paths, schema
from utils.risk import abstain, attacks, extraction, membership, preprocessing_bugs, scratch
from utils.tfx_modules.transform import penguin_transform

NUMERIC = list(attacks.NUMERIC)


def test_membership_auc_is_one_for_separated_confidences_and_a_half_for_equal_ones():
    probabilities = np.array([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
    assert membership.true_class_confidence(probabilities, np.array([0, 1, 0])).tolist() == [0.9, 0.8, 0.2]
    assert membership.attack_auc([0.9, 0.95], [0.5, 0.6]) == 1.0
    assert membership.attack_auc([0.7, 0.7], [0.7, 0.7]) == 0.5
    assert math.isclose(membership.confidence_gap([0.9, 0.7], [0.6, 0.6]), 0.2)
    with pytest.raises(ValueError, match="rows of probabilities"):
        membership.true_class_confidence(probabilities, np.array([0, 1]))


def test_coverage_and_error_per_threshold():
    probabilities = np.array([[0.99, 0.01, 0.0], [0.6, 0.4, 0.0], [0.55, 0.45, 0.0], [0.2, 0.8, 0.0]])
    labels = np.array([0, 1, 0, 1])  # the 0.6 answer is wrong, the others right
    table = abstain.coverage_error(probabilities, labels, [0.0, 0.58, 0.7])
    assert table["coverage"].tolist() == [1.0, 0.75, 0.5]
    assert table["error"].tolist() == [0.25, pytest.approx(1 / 3), 0.0]
    assert table["wrong_answered"].tolist() == [1, 1, 0]
    worst = abstain.confidently_wrong(probabilities, labels)
    assert worst.to_dict("records") == [{"row": 1, "predicted": 0, "true": 1, "confidence": 0.6}]


def test_random_penguins_stay_within_the_schema_and_repeat_with_the_seed():
    curated = schema.load(paths.CURATED_SCHEMA)
    penguins = extraction.random_penguins(curated, 300, seed=3)
    assert penguins.equals(extraction.random_penguins(curated, 300, seed=3))
    assert list(penguins.columns) == list(config.NUMERIC_FEATURES) + list(config.CATEGORICAL_FEATURES)
    assert penguins["body_mass_g"].between(2000, 8000).all()
    assert penguins["bill_depth_mm"].between(10, 25).all()
    assert set(penguins["island"]) == {"Biscoe", "Dream", "Torgersen"}
    assert set(penguins["sex"]) == {"female", "male"}
    row = extraction.raw_instances(pd.DataFrame([{"island": None, "body_mass_g": np.nan, "sex": "male",
                                                  "bill_length_mm": 40.0}]))[0]
    assert row["island"] == "" and math.isnan(row["body_mass_g"]) and math.isnan(row["flipper_length_mm"])
    assert extraction.agreement([0, 1, 2, 2], [0, 1, 1, 2]) == 0.75
    with pytest.raises(ValueError, match="answers against"):
        extraction.agreement([0, 1], [0])


def test_oversampling_gives_every_group_the_largest_count():
    groups = np.array([0] * 6 + [1] * 2 + [2] * 3)
    rows = scratch.oversample(groups, seed=1)
    assert np.bincount(groups[rows]).tolist() == [6, 6, 6]
    assert set(np.flatnonzero(groups == 1)) <= set(rows)  # every original row kept


@pytest.fixture(scope="module")
def linear_model():
    """Two inputs of the model's kind (a measurement and a category index): class 1 when the measurement
    is positive. The gradient of the loss is worked out by hand: its sign is that of the weight."""
    tf.keras.utils.set_random_seed(0)
    inputs = {NUMERIC[0]: tf.keras.Input(shape=(1,), name=NUMERIC[0]),
              "island_xf": tf.keras.Input(shape=(1,), name="island_xf", dtype=tf.int64)}
    logits = tf.keras.layers.Dense(2, kernel_initializer=tf.keras.initializers.Constant([[-4.0, 4.0]]),
                                   bias_initializer="zeros")(inputs[NUMERIC[0]])
    return tf.keras.Model(inputs, tf.keras.layers.Softmax()(logits))


def test_fgsm_moves_each_measurement_by_eps_against_the_true_class(linear_model):
    features = {NUMERIC[0]: np.array([0.3, -0.3, 2.0], np.float32), "island_xf": np.array([0, 1, 2])}
    labels = np.array([1, 0, 1])
    moved = attacks.fgsm(linear_model, features, labels, 0.5, columns=NUMERIC[:1])
    assert np.allclose(moved[NUMERIC[0]], [-0.2, 0.2, 1.5])
    assert moved["island_xf"] is features["island_xf"], "categories are not attacked"
    assert attacks.success_rate(linear_model, features, labels, moved) == pytest.approx(2 / 3)


def test_art_on_the_view_takes_the_same_step(linear_model):
    view = attacks.ArtView(linear_model, {NUMERIC[0]: tf.float32, "island_xf": tf.int64})
    view.order = [NUMERIC[0], "island_xf"]
    features = {NUMERIC[0]: np.array([0.3, -0.3], np.float32), "island_xf": np.array([1, 2])}
    matrix = view.matrix(features)
    assert view.features(matrix)["island_xf"].tolist() == [1, 2]
    fgm = FastGradientMethod(view.classifier(num_classes=2), eps=0.5, norm=np.inf)
    attacked = view.features(fgm.generate(matrix, y=np.eye(2)[[1, 0]], mask=np.array([1.0, 0.0], np.float32)))
    assert np.allclose(attacked[NUMERIC[0]], [-0.2, 0.2]) and attacked["island_xf"].tolist() == [1, 2]


def test_the_model_card_is_markdown_with_the_facts_it_was_given():
    metrics = pd.DataFrame({"example_count": [140, 50], "accuracy": [0.99286, 0.98]},
                           index=pd.Index(["Overall", "island = Dream"], name="slice"))
    facts = {"model_id": 7, "trainer": "Trainer", "train_steps": 100, "hyperparameters": {"hidden_units": 16},
             "examples_id": 3, "span": 0, "version": None, "input_base": "/data/penguins/clean",
             "split_counts": {"train": 204, "eval": 140}, "label": "species", "classes": list(config.LABELS),
             "schema_features": pd.DataFrame({"feature": ["island"], "type": ["BYTES"]}).set_index("feature"),
             "evaluations": [{"evaluator": "Evaluator", "blessed": True, "metrics": metrics}]}
    card = model_card.markdown(facts, "Teaching.", ["Three islands only."])
    assert "| Overall | 140 | 0.993 |" in card and "| island = Dream | 50 | 0.980 |" in card
    assert "train 204, eval 140 examples" in card and "`Evaluator`: BLESSED." in card
    assert "## Limits\n\n- Three islands only." in card and "from `clean`" in card


def test_the_unit_test_passes_the_course_preprocessing_and_catches_the_alphabetical_variant(tmp_path):
    preprocessing_bugs.check_outputs_follow_inputs(penguin_transform.preprocessing_fn, tmp_path / "good")
    with pytest.raises(AssertionError, match=r"raising bill_length_mm alone changed \['bill_depth_mm_xf'\]"):
        preprocessing_bugs.check_outputs_follow_inputs(preprocessing_bugs.alphabetical_preprocessing_fn,
                                                       tmp_path / "buggy")

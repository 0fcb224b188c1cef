"""Chapter 03's checks: right answers pass, wrong ones fail with a hint, None waits.

Exercise 3.2's check runs tf.Transform on six penguins (a few seconds per answer), so only the answers
that teach something are tried here.
"""

import pytest
import tensorflow as tf
import tensorflow_transform as tft

from tests.exercise_testing import assert_not_attempted, assert_wrong
from utils import exercises
from utils.exercises import ch03
from utils.tfx_modules import penguin_transform as module


@pytest.fixture
def graph_dir(tmp_path):
    """A transform graph folder holding only what the check reads: the species vocabulary."""
    assets = tmp_path / "transform_fn" / "assets"
    assets.mkdir(parents=True)
    (assets / "species").write_text("Adelie\nGentoo\nChinstrap\n")
    return str(tmp_path)


def test_none_means_not_attempted(capsys):
    assert_not_attempted(exercises.check_03_gentoo_index("unused", None))
    assert_not_attempted(exercises.check_03_bill_ratio(None))
    assert capsys.readouterr().out.count("not attempted yet") == 2


def test_the_index_from_the_vocabulary_passes(graph_dir):
    assert exercises.check_03_gentoo_index(graph_dir, 1)


@pytest.mark.parametrize("answer, hint", [
    (2, "alphabetical order"),
    (0, "is not Gentoo's index"),
    ("1", "expected an int"),
    (True, "expected an int"),
])
def test_a_wrong_gentoo_index_fails_with_a_hint(graph_dir, answer, hint):
    assert_wrong(exercises.check_03_gentoo_index(graph_dir, answer), hint)


def bill_lengths_and_depths(inputs):
    return module.as_float(inputs["bill_length_mm"]), module.as_float(inputs["bill_depth_mm"])


def right_ratio(inputs):
    length, depth = bill_lengths_and_depths(inputs)
    return {"bill_ratio_xf": tft.scale_to_z_score(module.impute_mean(length) / module.impute_mean(depth))}


def unscaled_ratio(inputs):
    length, depth = bill_lengths_and_depths(inputs)
    return {"bill_ratio_xf": module.impute_mean(length) / module.impute_mean(depth)}


def ratio_imputed_after_scaling(inputs):
    """z-scored over the five birds with bills; the sixth gets 0 instead of the ratio of the means."""
    length, depth = bill_lengths_and_depths(inputs)
    ratio = tf.SparseTensor(length.indices, length.values / depth.values, length.dense_shape)
    return {"bill_ratio_xf": module.fill_missing(tft.scale_to_z_score(ratio), default=0.0)}


def ratio_of_lengths(inputs):
    """Right shape and scaling, wrong feature."""
    length, _ = bill_lengths_and_depths(inputs)
    return {"bill_ratio_xf": tft.scale_to_z_score(module.impute_mean(length))}


def broken(inputs):
    return {"bill_ratio_xf": inputs["no_such_feature"]}


def test_the_expected_values_are_z_scores():
    values = ch03.expected_bill_ratios()
    mean = sum(values) / len(values)
    assert abs(mean) < 1e-9 and abs(sum(v * v for v in values) / len(values) - 1) < 1e-9


def test_the_right_preprocessing_fn_passes(capsys):
    assert exercises.check_03_bill_ratio(right_ratio)
    assert "Exercise 3.2: correct" in capsys.readouterr().out


@pytest.mark.parametrize("answer, hint", [
    (unscaled_ratio, "z-score it"),
    (ratio_imputed_after_scaling, "computed before the missing bills were imputed"),
    (ratio_of_lengths, "not the asked ratio"),
    (broken, "could not run your function: KeyError"),
    ("bill_length_mm / bill_depth_mm", "expected a function"),
])
def test_a_wrong_preprocessing_fn_fails_with_a_hint(answer, hint):
    assert_wrong(exercises.check_03_bill_ratio(answer), hint)

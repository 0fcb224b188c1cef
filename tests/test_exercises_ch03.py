"""Chapter 03's checks: right answers pass, wrong ones fail with a hint, None waits.

Exercises 3.2 and 3.3 run tf.Transform on a few penguins (a few seconds per answer), so only the answers
that teach something are tried here. Exercise 3.3's answers are module files, written as a student's
%%writefile cell would.
"""

import textwrap

import pytest
import tensorflow as tf
import tensorflow_transform as tft

from tests.exercise_testing import assert_not_attempted, assert_wrong
from utils import config, exercises
from utils.exercises import ch03
from utils.tfx_modules.transform import penguin_transform as module


@pytest.fixture(scope="module")
def graph_dir(tmp_path_factory):
    """A transform graph of the course's module file, analyzed on exercise 3.3's few penguins."""
    output_dir = str(tmp_path_factory.mktemp("course_graph"))
    ch03.analyze(module.preprocessing_fn, ch03.TRAIN_ROWS, output_dir)
    return output_dir


def test_none_means_not_attempted(capsys):
    assert_not_attempted(exercises.check_03_gentoo_index("unused", None))
    assert_not_attempted(exercises.check_03_bill_ratio(None))
    assert_not_attempted(exercises.check_03_vocabulary(None))
    assert capsys.readouterr().out.count("not attempted yet") == 3


def test_the_graph_maps_the_label_through_the_fixed_table(graph_dir):
    assert [ch03.label_index(graph_dir, species) for species in config.LABELS] == [0, 1, 2]
    assert ch03.label_index(graph_dir, "Emperor") == -1


def test_the_index_from_the_graph_passes(graph_dir):
    assert exercises.check_03_gentoo_index(graph_dir, 2)


@pytest.mark.parametrize("answer, hint", [
    (1, "place by frequency"),
    (3, "indexes start at 0"),
    (0, "is not what the graph gives Gentoo: .* give it to transform_layer"),
    ("2", "expected an int"),
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


# Exercise 3.3: the body of index_category(values, name) in a module file; `values` is the SparseTensor.
MODULE = '''
import tensorflow as tf
import tensorflow_transform as tft


def one_per_example(values):
    """[batch, 0 or 1] SparseTensor -> dense [batch], "" where missing (also when nobody has a value)."""
    one_column = tf.SparseTensor(values.indices, values.values,
                                 tf.stack([values.dense_shape[0], tf.constant(1, tf.int64)]))
    return tf.reshape(tf.sparse.to_dense(one_column, default_value=""), [-1])


def index_category(values, name):
{body}


def preprocessing_fn(inputs):
    return {{f"{{name}}_xf": index_category(inputs[name], name) for name in ("island", "sex")}}
'''
ANSWERS = {
    "right": """
    vocabulary = tft.vocabulary(values, vocab_filename=name)
    return tft.apply_vocabulary(one_per_example(values), vocabulary, num_oov_buckets=1)""",
    "course_helper": """
    from utils.tfx_modules.transform import penguin_transform
    return penguin_transform.index_categories(values, vocab_filename=name, num_oov_buckets=1)""",
    "not_attempted": """
    return None""",
    "filled_with_empty_string": """
    filled = one_per_example(values)
    return tft.compute_and_apply_vocabulary(filled, num_oov_buckets=1, vocab_filename=name)""",
    "filled_with_placeholder": """
    filled = tf.where(one_per_example(values) == "", "NA", one_per_example(values))
    return tft.compute_and_apply_vocabulary(filled, num_oov_buckets=1, vocab_filename=name)""",
    "no_oov_bucket": """
    vocabulary = tft.vocabulary(values, vocab_filename=name)
    return tft.apply_vocabulary(one_per_example(values), vocabulary)""",
    "sparse_output": """
    return tft.compute_and_apply_vocabulary(values, num_oov_buckets=1, vocab_filename=name)""",
    "alphabetical": """
    words = {"island": ["Biscoe", "Dream", "Torgersen"], "sex": ["female", "male"]}[name]
    table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(
        tf.constant(words), tf.range(len(words), dtype=tf.int64)), default_value=len(words))
    return table.lookup(one_per_example(values))""",
    "unnamed_vocabulary": """
    vocabulary = tft.vocabulary(values)
    return tft.apply_vocabulary(one_per_example(values), vocabulary, num_oov_buckets=1)""",
    "two_oov_buckets": """
    vocabulary = tft.vocabulary(values, vocab_filename=name)
    return tft.apply_vocabulary(one_per_example(values), vocabulary, num_oov_buckets=2)""",
    "dense_shape_kept": """
    vocabulary = tft.vocabulary(values, vocab_filename=name)
    filled = tf.reshape(tf.sparse.to_dense(values, default_value=""), [-1])
    return tft.apply_vocabulary(filled, vocabulary, num_oov_buckets=1)""",
    "float_output": """
    vocabulary = tft.vocabulary(values, vocab_filename=name)
    index = tft.apply_vocabulary(one_per_example(values), vocabulary, num_oov_buckets=1)
    return tf.cast(index, tf.float32)""",
}


def module_file(tmp_path, answer: str):
    path = tmp_path / answer / "my_categories.py"
    path.parent.mkdir()
    path.write_text(MODULE.format(body=textwrap.indent(textwrap.dedent(ANSWERS[answer]).strip(), "    ")))
    return path


@pytest.mark.parametrize("answer", ["right", "course_helper", "filled_with_empty_string"])
def test_a_vocabulary_with_an_oov_bucket_passes(tmp_path, capsys, answer):
    """The course's own index_categories is a right answer: the expected indexes are the course's. Filling
    the gaps with "" before the vocabulary is right too: tft.vocabulary skips the empty string."""
    assert exercises.check_03_vocabulary(module_file(tmp_path, answer))
    assert "island [1, 0, 2, 3, 3]; sex [1, 0, 1, 2, 2]" in capsys.readouterr().out


def test_a_module_still_returning_none_is_not_attempted(tmp_path):
    assert_not_attempted(exercises.check_03_vocabulary(module_file(tmp_path, "not_attempted")))


@pytest.mark.parametrize("answer, hint", [
    ("filled_with_placeholder", r"\['NA'\] are words of your 'island' vocabulary"),
    ("no_oov_bucket", "got -1: without an OOV bucket .* pass num_oov_buckets=1"),
    ("sparse_output", "is a SparseTensor, so a penguin without island gets no index"),
    ("alphabetical", "your island indexes follow alphabetical order"),  # sex: alphabetical = frequency
    ("unnamed_vocabulary", "no vocabulary file named 'island'"),
    ("two_oov_buckets", "both should get the one OOV index"),
    ("dense_shape_kept", r"SparseTensor of shape \[batch, 0\]"),
    ("float_output", "should be integer indexes"),
])
def test_a_wrong_vocabulary_fails_with_a_hint(tmp_path, answer, hint):
    assert_wrong(exercises.check_03_vocabulary(module_file(tmp_path, answer)), hint)


def test_a_module_file_that_does_not_load_or_lacks_the_function_fails(tmp_path):
    broken_file = tmp_path / "broken.py"
    broken_file.write_text("def preprocessing_fn(inputs)\n")
    assert_wrong(exercises.check_03_vocabulary(broken_file), "does not load: SyntaxError")
    other_name = tmp_path / "other.py"
    other_name.write_text("def transform(inputs):\n    return inputs\n")
    assert_wrong(exercises.check_03_vocabulary(other_name), "must define preprocessing_fn")
    assert_wrong(exercises.check_03_vocabulary(tmp_path / "missing.py"), "is not a Python file")


def test_comparing_a_transform_needs_the_course_s_too(tmp_path):
    """The second step of 3.3 compares the student's Transform with the course's: both must be given."""
    verdict = exercises.check_03_vocabulary(module_file(tmp_path, "right"), "my transform", None)
    assert_wrong(verdict, "give the course's Transform too")

"""Checks for chapter 03 (Transform)."""

from __future__ import annotations

import logging
import math
import tempfile
from contextlib import contextmanager

import numpy as np

from utils import config, paths, schema
from utils.exercises.common import (
    NOT_ATTEMPTED,
    ExerciseError,
    exercise_check,
    load_student_module,
    require,
)

CHAPTER = "03_transform"
RATIO = "bill_ratio_xf"
QUIET = ("absl", "tensorflow", "apache_beam.options.pipeline_options")  # loggers a check's runs silence

# Six penguins for exercise 3.2: (bill_length_mm, bill_depth_mm); the last one has no bill measurements.
RATIO_ROWS = ((41.0, 18.0), (43.0, 19.0), (45.0, 15.0), (47.0, 16.0), (44.0, 17.0), (None, None))


def _transform_output(transform):
    """tft.TFTransformOutput of a Transform component, its transform_graph channel, or a folder."""
    import tensorflow_transform as tft

    if hasattr(transform, "outputs"):
        transform = transform.outputs["transform_graph"]
    if hasattr(transform, "get"):
        [transform] = list(transform.get())
    return tft.TFTransformOutput(transform if isinstance(transform, str) else transform.uri)


def _raw_examples(output, serialized: list[bytes]) -> dict:
    """Serialized tf.Examples parsed with the raw feature spec the transform graph was made for."""
    import tensorflow as tf

    return tf.io.parse_example(serialized, output.raw_feature_spec())


def _labelled(species: str) -> bytes:
    import tensorflow as tf

    example = tf.train.Example()
    example.features.feature[config.LABEL_KEY].bytes_list.value.append(species.encode())
    return example.SerializeToString()


def label_index(transform, species: str) -> int:
    """What the transform graph makes of a labelled example of ``species``: its ``species_xf``."""
    output = _transform_output(transform)
    with _quiet(*QUIET):
        transformed = output.transform_raw_features(_raw_examples(output, [_labelled(species)]))
    return int(transformed[f"{config.LABEL_KEY}{config.TRANSFORMED_SUFFIX}"].numpy()[0])


@exercise_check("3.1", CHAPTER)
def check_03_gentoo_index(transform, gentoo_index) -> str:
    """Exercise 3.1: the index Transform gives the label 'Gentoo', asked of the transform graph."""
    if gentoo_index is None:
        return NOT_ATTEMPTED
    require(isinstance(gentoo_index, int | np.integer) and not isinstance(gentoo_index, bool),
            f"expected an int (the label's index), got {type(gentoo_index).__name__}")
    right = label_index(transform, "Gentoo")
    require(gentoo_index != right + 1, "indexes start at 0: the first species in the table has index 0")
    require(gentoo_index != 1, "1 is Gentoo's place by frequency (Adelie, Gentoo, Chinstrap in the train "
            "split), the order a tft.vocabulary would give; the label uses a fixed table instead: "
            "ask the graph (transform_layer on a labelled example) rather than guess")
    require(gentoo_index == right,
            f"{gentoo_index} is not what the graph gives Gentoo: parse request(species='Gentoo') with "
            "graph.raw_feature_spec() (the label included), give it to transform_layer and read species_xf")
    return f"the graph maps Gentoo to {right}, its place in config.LABELS {list(config.LABELS)}."


def _ratio_instances() -> list[dict]:
    """RATIO_ROWS as tf.Transform instance dicts with every feature of the curated schema."""
    return [{
        "species": [b"Adelie"], "island": [b"Dream"], "sex": [b"female"], "year": [2008],
        "flipper_length_mm": [190], "body_mass_g": [3800],
        "bill_length_mm": [] if length is None else [length],
        "bill_depth_mm": [] if depth is None else [depth],
    } for length, depth in RATIO_ROWS]


def expected_bill_ratios() -> list[float]:
    """What exercise 3.2 asks for, worked out in plain Python: impute each measurement with the mean
    of its present values, divide, then z-score with the mean and population standard deviation."""
    lengths = [length for length, _ in RATIO_ROWS if length is not None]
    depths = [depth for _, depth in RATIO_ROWS if depth is not None]
    mean_length, mean_depth = sum(lengths) / len(lengths), sum(depths) / len(depths)
    ratios = [(mean_length if length is None else length) / (mean_depth if depth is None else depth)
              for length, depth in RATIO_ROWS]
    mean = sum(ratios) / len(ratios)
    std = math.sqrt(sum((r - mean) ** 2 for r in ratios) / len(ratios))
    return [(r - mean) / std for r in ratios]


@contextmanager
def _quiet(*names: str):
    """Silence the warnings Beam and tf.Transform log for a small in-memory run."""
    loggers = [logging.getLogger(n) for n in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def run_preprocessing_fn(preprocessing_fn, instances: list[dict]) -> list[dict]:
    """Analyze and transform ``instances`` with tf.Transform's Beam implementation, in this process."""
    import tensorflow_transform.beam as tft_beam
    from tensorflow_transform.tf_metadata import dataset_metadata

    metadata = dataset_metadata.DatasetMetadata(schema.load(paths.CURATED_SCHEMA))
    with tempfile.TemporaryDirectory() as temp_dir, \
            _quiet("absl", "apache_beam.options.pipeline_options"), \
            tft_beam.Context(temp_dir=temp_dir, force_tf_compat_v1=False):
        (rows, _), _ = (instances, metadata) | tft_beam.AnalyzeAndTransformDataset(preprocessing_fn)
    return rows


@exercise_check("3.2", CHAPTER)
def check_03_bill_ratio(bill_ratio_fn) -> str:
    """Exercise 3.2: a preprocessing_fn for a derived feature, the z-scored bill length / depth ratio."""
    if bill_ratio_fn is None:
        return NOT_ATTEMPTED
    require(callable(bill_ratio_fn),
            f"expected a function inputs -> dict of features, got {type(bill_ratio_fn).__name__}")
    try:
        rows = run_preprocessing_fn(bill_ratio_fn, _ratio_instances())
    except Exception as error:  # the student's code failed while tf.Transform traced or ran it
        first_line = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
        raise ExerciseError("tf.Transform could not run your function: "
                            f"{type(error).__name__}: {first_line}") from error
    require(RATIO in rows[0], f"return a dict with the key '{RATIO}'; got {sorted(rows[0])}")
    values = [row[RATIO] for row in rows]
    require(all(np.ndim(v) == 0 for v in values),
            f"expected one float per penguin, got {values[:2]}...: fill in missing values so that the "
            "result is a dense tensor with one value per example")
    got, expected = sorted(float(v) for v in values), sorted(expected_bill_ratios())
    mean = sum(got) / len(got)
    std = math.sqrt(sum((v - mean) ** 2 for v in got) / len(got))
    require(abs(mean) < 1e-3,
            f"the feature has mean {mean:.3f} and standard deviation {std:.3f} over the six penguins: "
            "z-score it (tft.scale_to_z_score) so that they are 0 and 1")
    require(abs(std - 1) < 1e-3,
            f"centred, but the standard deviation over the six penguins is {std:.3f}, not 1: was the "
            "z-score computed before the missing bills were imputed? Impute first, then z-score, so that "
            "the imputed penguin counts too")
    require(all(abs(g - e) < 1e-4 for g, e in zip(got, expected, strict=True)),
            "z-scored, but not the asked ratio: impute each measurement with its mean first "
            "(penguin_transform.impute_mean), then divide length by depth, then z-score")
    return f"{RATIO} on six penguins: " + ", ".join(f"{v:.2f}" for v in got)


# Exercise 3.3: a module file with island and sex as vocabulary indexes. The check analyzes TRAIN_ROWS
# (island, sex; None = missing) with the student's preprocessing_fn and sends REQUESTS through the saved
# graph. Frequencies differ from alphabetical order, and there are more missing values than some present
# ones, so a vocabulary that counts the filler "" moves real values:
#   island: Dream 4, (missing 3), Biscoe 2, Torgersen 1   -> vocabulary Dream, Biscoe, Torgersen; OOV 3
#   sex:    female 5, (missing 3), male 2                 -> vocabulary female, male;             OOV 2
TRAIN_ROWS = (("Dream", "female"), ("Dream", "female"), ("Dream", "female"), ("Dream", "male"),
              (None, None), (None, None), (None, None),
              ("Biscoe", "female"), ("Biscoe", "male"), ("Torgersen", "female"))
# seen values, an island and a sex never seen in training, and a penguin with neither
REQUESTS = (("Biscoe", "male"), ("Dream", "female"), ("Torgersen", "male"), ("Anvers", "unknown"),
            (None, None))
EXPECTED = {"island": [1, 0, 2, 3, 3], "sex": [1, 0, 1, 2, 2]}  # what the course's index_categories gives
CATEGORIES = ("island", "sex")


class _NotAttempted(Exception):
    """The module's preprocessing_fn still returns None for a feature."""


def load_module(module_file):
    """The module file as a fresh Python module (edits are picked up at every call)."""
    return load_student_module(module_file, "03", {
        "preprocessing_fn": "the module file must define preprocessing_fn(inputs) -> dict (Transform looks "
                            "for that name)"})


def _instances(rows) -> list[dict]:
    """(island, sex) rows as tf.Transform instance dicts with every feature of the curated schema."""
    return [{"species": [b"Adelie"], "island": [] if island is None else [island.encode()],
             "sex": [] if sex is None else [sex.encode()], "year": [2008], "bill_length_mm": [40.0],
             "bill_depth_mm": [18.0], "flipper_length_mm": [190], "body_mass_g": [3800]}
            for island, sex in rows]


def _request(island, sex) -> bytes:
    import tensorflow as tf

    example = tf.train.Example()
    for name, value in (("island", island), ("sex", sex)):
        if value is not None:
            example.features.feature[name].bytes_list.value.append(value.encode())
    return example.SerializeToString()


def analyze(preprocessing_fn, rows, output_dir: str):
    """Analyze ``rows`` with ``preprocessing_fn`` (tf.Transform's Beam implementation, in this process) and
    save the transform graph in ``output_dir``; returns its tft.TFTransformOutput."""
    import tensorflow_transform as tft
    import tensorflow_transform.beam as tft_beam
    from tensorflow_transform.tf_metadata import dataset_metadata, metadata_io

    metadata = dataset_metadata.DatasetMetadata(schema.load(paths.CURATED_SCHEMA))
    with tempfile.TemporaryDirectory() as temp_dir, \
            _quiet(*QUIET), tft_beam.Context(temp_dir=temp_dir, force_tf_compat_v1=False):
        transform_fn = (_instances(rows), metadata) | tft_beam.AnalyzeDataset(preprocessing_fn)
        _ = transform_fn | tft_beam.WriteTransformFn(output_dir)
    # the raw schema, which Transform saves beside the graph too (TFTransformOutput.raw_feature_spec reads it)
    metadata_io.write_metadata(metadata, f"{output_dir}/{tft.TFTransformOutput.RAW_METADATA_DIR}")
    return tft.TFTransformOutput(output_dir)


def _guarded(preprocessing_fn):
    def run(inputs):
        outputs = preprocessing_fn(inputs)
        if isinstance(outputs, dict) and any(value is None for value in outputs.values()):
            raise _NotAttempted
        return outputs

    return run


def _caused_by_not_attempted(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, _NotAttempted):
            return True
        error = error.__cause__ or error.__context__
    return False


def _indexes(output, requests) -> dict:
    """The student's island_xf and sex_xf for ``requests``, as lists; checks they are one int per request."""
    import tensorflow as tf

    with _quiet(*QUIET):
        transformed = output.transform_raw_features(_raw_examples(output, [_request(*r) for r in requests]))
    missing = [f"{name}_xf" for name in CATEGORIES if f"{name}_xf" not in transformed]
    require(not missing, f"preprocessing_fn must return {missing}; it returned {sorted(transformed)}")
    result = {}
    for name in CATEGORIES:
        tensor = transformed[f"{name}_xf"]
        require(not isinstance(tensor, tf.SparseTensor),
                f"{name}_xf is a SparseTensor, so a penguin without {name} gets no index at all "
                "(tft.compute_and_apply_vocabulary on the raw feature keeps its gaps): fill the gaps with "
                "the empty string before applying the vocabulary, so every penguin gets one index")
        require(tensor.dtype.is_integer, f"{name}_xf should be integer indexes, got {tensor.dtype.name}")
        values = tensor.numpy().reshape(-1).tolist() if tensor.shape.rank <= 2 else None
        require(values is not None and len(values) == len(requests),
                f"expected one index per penguin for {name}_xf ({len(requests)} requests), got shape "
                f"{tensor.shape.as_list()}: a batch in which no penguin has a {name} parses as a "
                f"SparseTensor of shape [batch, 0]; give it shape [batch, 1] before filling the gaps "
                "(as penguin_transform.fill_missing does)")
        result[name] = [int(v) for v in values]
    return result


def _vocabulary_hints(output, got: dict) -> None:
    """require() with a targeted hint for each typical mistake, most specific first."""
    import tensorflow as tf

    for name in CATEGORIES:
        column = CATEGORIES.index(name)
        present = sorted({row[column] for row in TRAIN_ROWS if row[column] is not None})
        alphabetical = [present.index(row[column]) for row in REQUESTS[:3]]
        if alphabetical == EXPECTED[name][:3]:
            continue  # sex: female is also the more frequent, so only island can show this mistake
        require(got[name][:3] != alphabetical,
                f"your {name} indexes follow alphabetical order ({present}); the exercise asks for a "
                "vocabulary computed from the training data, most frequent first, as tft.vocabulary writes "
                "it: use its order, do not sort (a fixed list would also miss next year's new values)")
    assets_dir = f"{output.transform_savedmodel_dir}/assets"
    assets = sorted(tf.io.gfile.listdir(assets_dir)) if tf.io.gfile.exists(assets_dir) else []
    for name in CATEGORIES:
        require(name in assets, f"no vocabulary file named '{name}' in the graph (it has {assets}): "
                f"compute it with tft.vocabulary(..., vocab_filename='{name}') so that "
                f"vocabulary_by_name('{name}') finds it")
        words = output.vocabulary_by_name(name)
        column = CATEGORIES.index(name)
        present = {row[column].encode() for row in TRAIN_ROWS if row[column] is not None}
        strangers = [word.decode() for word in words if word not in present]
        require(not strangers, f"{strangers} are words of your '{name}' vocabulary {words} but not values of "
                "the training data: you filled the gaps with a placeholder before computing the vocabulary, "
                "so missing became a frequent category and moved the real ones; compute the vocabulary from "
                "the present values (the SparseTensor), or fill with the empty string, which tft.vocabulary "
                "skips")
        unseen, missing = got[name][3], got[name][4]
        require(-1 not in (unseen, missing),
                f"a {name} never seen in training (or a missing one) got -1: without an OOV bucket "
                "apply_vocabulary returns default_value; pass num_oov_buckets=1, the number written in your "
                "module file (a setting imported from outside its folder is not in Transform's cache key)")
        size = len(words)
        require(unseen == missing == size,
                f"the unseen {name} got {unseen} and the missing one {missing}; both should get the one OOV "
                f"index {size}, just after the {size} words: one OOV bucket (num_oov_buckets=1), and "
                "fill the gaps with the empty string, which is never a word of the vocabulary")


@exercise_check("3.3", CHAPTER)
def check_03_vocabulary(module_file, my_transform=None, course_transform=None) -> str:
    """Exercise 3.3: a module file whose preprocessing_fn indexes island and sex in frequency vocabularies
    with one OOV bucket, missing values included, exactly as the course's module does: first on a few
    penguins with tf.Transform in this process; then, given the Transform run on it (``my_transform``) and
    the course's, their vocabulary files and the indexes they give every example."""
    if module_file is None:
        return NOT_ATTEMPTED
    module = load_module(module_file)
    with tempfile.TemporaryDirectory() as output_dir:
        try:
            output = analyze(_guarded(module.preprocessing_fn), TRAIN_ROWS, output_dir)
        except Exception as error:  # traced or run by tf.Transform: the student's code failed
            if _caused_by_not_attempted(error):
                return NOT_ATTEMPTED
            first_line = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
            raise ExerciseError("tf.Transform could not run your preprocessing_fn: "
                                f"{type(error).__name__}: {first_line}") from error
        got = _indexes(output, REQUESTS)
        _vocabulary_hints(output, got)
        alone = _indexes(output, [(None, None)])
        for name in CATEGORIES:
            require(got[name] == EXPECTED[name],
                    f"{name}: your indexes for {[r[CATEGORIES.index(name)] for r in REQUESTS]} are "
                    f"{got[name]}, the course's module gives {EXPECTED[name]}")
            require(alone[name] == EXPECTED[name][-1:],
                    f"a request without {name}, sent alone, got {alone[name]}, not the OOV index "
                    f"{EXPECTED[name][-1]}: in a batch where nobody has a value, fill the gaps the same way")
    few = ("seen, unseen and missing values get the course's indexes: "
           + "; ".join(f"{name} {EXPECTED[name]}" for name in CATEGORIES))
    if my_transform is None:
        return few
    require(course_transform is not None, "give the course's Transform too, to compare yours with it")
    return f"{few}. {_compare_with_course(my_transform, course_transform)}"


def transformed_categories(transform, raw_examples: list) -> dict:
    """island_xf and sex_xf that a Transform's graph gives ``raw_examples`` (serialized tf.Examples)."""
    output = _transform_output(transform)
    with _quiet(*QUIET):
        transformed = output.transform_raw_features(_raw_examples(output, raw_examples))
    return {name: transformed[f"{name}_xf"].numpy().tolist() for name in CATEGORIES}


def _compare_with_course(my_transform, course_transform) -> str:
    """The Transform run on the student's module file against the course's: the vocabulary files, and the
    indexes both graphs give every raw example of every split and the check's requests."""
    from utils import examples

    mine, course = _transform_output(my_transform), _transform_output(course_transform)
    for name in CATEGORIES:
        require(mine.vocabulary_by_name(name) == course.vocabulary_by_name(name),
                f"the '{name}' vocabulary differs from the course's: {mine.vocabulary_by_name(name)} "
                f"against {course.vocabulary_by_name(name)}")
    [raw] = my_transform.inputs["examples"].get()
    splits = sorted(examples.split_counts(raw))
    serialized = [e.SerializeToString() for split in splits for e in examples.iter_examples(raw, split)]
    serialized += [_request(*r) for r in REQUESTS]
    got, expected = transformed_categories(my_transform, serialized), transformed_categories(
        course_transform, serialized)
    for name in CATEGORIES:
        differ = sum(g != e for g, e in zip(got[name], expected[name], strict=True))
        require(differ == 0,
                f"{name}_xf differs from the course's for {differ} of {len(serialized)} examples")
    return (f"Your Transform: the course's vocabularies, and the same island_xf and sex_xf for all "
            f"{len(serialized)} examples ({' + '.join(splits)} splits, and {len(REQUESTS)} requests)")

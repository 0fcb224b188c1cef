"""Checks for chapter 03 (Transform)."""

from __future__ import annotations

import logging
import math
import tempfile
from contextlib import contextmanager

import numpy as np

from utils import config, paths, schema
from utils.exercises.common import NOT_ATTEMPTED, ExerciseError, exercise_check, require

CHAPTER = "03_transform"
RATIO = "bill_ratio_xf"

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


@exercise_check("3.1", CHAPTER)
def check_03_gentoo_index(transform, gentoo_index) -> str:
    """Exercise 3.1: the index Transform gives the label 'Gentoo', read from the species vocabulary."""
    if gentoo_index is None:
        return NOT_ATTEMPTED
    require(isinstance(gentoo_index, int) and not isinstance(gentoo_index, bool),
            f"expected an int (an index into the vocabulary), got {type(gentoo_index).__name__}")
    vocabulary = [v.decode() for v in _transform_output(transform).vocabulary_by_name(config.LABEL_KEY)]
    if gentoo_index != vocabulary.index("Gentoo") and gentoo_index == sorted(vocabulary).index("Gentoo"):
        require(False, "that is Gentoo's place in alphabetical order; a tf.Transform vocabulary "
                "is ordered by frequency, most frequent first: read it from the transform graph")
    require(gentoo_index == vocabulary.index("Gentoo"),
            f"{gentoo_index} is not Gentoo's index: read the vocabulary named '{config.LABEL_KEY}' with "
            "TFTransformOutput(...).vocabulary_by_name and find 'Gentoo' in it (indexes start at 0)")
    return f"The species vocabulary is {vocabulary}: Gentoo is {gentoo_index}."


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

"""A subtle preprocessing bug and the unit test that catches it (chapter 10, bugs).

The bug: a refactor of the course's ``preprocessing_fn`` reads the four measurements in alphabetical order
instead of the order of their names, so bill length is scaled as bill depth and the reverse, and body mass
as flipper length and the reverse. Every output still exists, has the right type and is z-scored: the
model trains, the Evaluator may even bless it. Nothing crashes.

The test: *each output follows its own input*. Analyze a few real penguins with tf.Transform, then
transform probes that differ from the first penguin in one measurement only: exactly that measurement's
outputs must change, and its z-score must grow with it.
"""

from __future__ import annotations

import shutil

import numpy as np
import tensorflow as tf
import tensorflow_transform as tft
import tensorflow_transform.beam as tft_beam
from tensorflow_transform.tf_metadata import dataset_metadata, schema_utils

from utils import config, data, examples, paths, schema
from utils.tfx_modules.transform import penguin_transform

ANALYZED_PENGUINS = 40  # the first complete penguins of the shipped data: every species and island


def alphabetical_preprocessing_fn(inputs: dict) -> dict:
    """The buggy variant: the measurements handed over in sorted order (the bug is this one line)."""
    in_sorted_order = [inputs[name] for name in sorted(config.NUMERIC_FEATURES)]
    measurements = dict(zip(config.NUMERIC_FEATURES, in_sorted_order, strict=True))
    return penguin_transform.preprocessing_fn({**inputs, **measurements})


def penguins(n: int = ANALYZED_PENGUINS) -> list[dict]:
    """The first ``n`` penguins of the shipped data without a missing value, as {feature: value}."""
    rows = [examples.feature_values(e) for e in examples.csv_examples(data.dataset_file(config.PENGUINS))]
    return [row for row in rows if None not in row.values()][:n]


def analyze(preprocessing_fn, rows: list[dict], folder) -> tft.TFTransformOutput:
    """Run tf.Transform's analysis on ``rows`` (Beam, in this process) and save the transform graph."""
    shutil.rmtree(folder, ignore_errors=True)  # a graph from an earlier run would stop the write
    curated = schema.load(paths.CURATED_SCHEMA)
    metadata = dataset_metadata.DatasetMetadata(curated)
    instances = [{name: [] if value is None else [value.encode() if isinstance(value, str) else value]
                  for name, value in row.items()} for row in rows]
    with tft_beam.Context(temp_dir=str(folder / "tmp"), force_tf_compat_v1=False):
        transform_fn = (instances, metadata) | tft_beam.AnalyzeDataset(preprocessing_fn)
        _ = transform_fn | tft_beam.WriteTransformFn(str(folder / "graph"))
    return tft.TFTransformOutput(str(folder / "graph"))


def transform(output: tft.TFTransformOutput, rows: list[dict]) -> dict[str, np.ndarray]:
    """Rows through the saved transform graph, in order (as the model server runs it)."""
    curated = schema.load(paths.CURATED_SCHEMA)
    kinds = examples.schema_kinds(curated)
    serialized = [examples.example_from_values(row, kinds).SerializeToString() for row in rows]
    spec = schema_utils.schema_as_feature_spec(curated).feature_spec
    transformed = output.transform_raw_features(tf.io.parse_example(serialized, spec))
    return {name: tensor.numpy() for name, tensor in transformed.items()}


def outputs_of(name: str) -> set[str]:
    """The outputs the course's preprocessing makes from one raw measurement."""
    made = {penguin_transform.transformed_name(name), penguin_transform.missing_name(name)}
    if name == config.BUCKETIZED_FEATURE:
        made.add(penguin_transform.bucket_name(name))
    return made


def check_outputs_follow_inputs(preprocessing_fn, folder) -> None:
    """The unit test: raises AssertionError naming the first measurement whose outputs do not follow it."""
    rows = penguins()
    output = analyze(preprocessing_fn, rows, folder)
    base = rows[0]
    probes = [base] + [{**base, name: base[name] * 1.1 if isinstance(base[name], float) else
                        int(round(base[name] * 1.1))} for name in config.NUMERIC_FEATURES]
    out = transform(output, probes)
    for i, name in enumerate(config.NUMERIC_FEATURES, start=1):
        changed = {feature for feature, values in out.items() if not np.isclose(values[i], values[0])}
        assert changed <= outputs_of(name), (
            f"raising {name} alone changed {sorted(changed - outputs_of(name))}: those outputs are made from "
            f"another input; is {name} read where another measurement should be?")
        scaled = penguin_transform.transformed_name(name)
        assert out[scaled][i] > out[scaled][0], (
            f"raising {name} did not raise {scaled} ({out[scaled][0]:.3f} -> {out[scaled][i]:.3f})")

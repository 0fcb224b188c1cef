"""The course model's own inputs: the transformed features Transform wrote, fed to the Keras model inside
the SavedModel (what the signatures call after the transform graph), and its answers as NumPy.

Chapter 10 attacks and probes the model here, on the transformed features, because that is where the
gradient is defined: the transform graph z-scores each measurement (a linear map), buckets body mass
(flat, no gradient) and looks categories up in tables (no gradient). A step of 1.0 on ``body_mass_g_xf``
is one training standard deviation of body mass.
"""

from __future__ import annotations

import glob
import os

import numpy as np
import tensorflow as tf
import tensorflow_transform as tft
from tensorflow_metadata.proto.v0 import schema_pb2

from utils import config

LABEL = f"{config.LABEL_KEY}{config.TRANSFORMED_SUFFIX}"
# The z-scored measurements: what an attacker moves (one training standard deviation per unit).
NUMERIC = tuple(f"{name}{config.TRANSFORMED_SUFFIX}" for name in config.NUMERIC_FEATURES)


def uri(artifact_or_channel) -> str:
    """The folder of an artifact, or of a channel's only artifact."""
    if hasattr(artifact_or_channel, "get"):
        [artifact_or_channel] = list(artifact_or_channel.get())
    return artifact_or_channel.uri


def transform_output(transform) -> tft.TFTransformOutput:
    """The transform graph of a Transform component (or its ``transform_graph`` artifact)."""
    channel = transform.outputs["transform_graph"] if hasattr(transform, "outputs") else transform
    return tft.TFTransformOutput(uri(channel))


def input_dtypes(tf_transform_output: tft.TFTransformOutput) -> dict[str, tf.DType]:
    """{model input: dtype}, as the trainer module builds its inputs from Transform's schema: a category
    index (INT with a domain) is int64, a number or a 0/1 flag is float32; the label is not an input."""
    dtypes = {}
    for feature in tf_transform_output.transformed_metadata.schema.feature:
        if feature.name == LABEL:
            continue
        categorical = feature.type == schema_pb2.INT and feature.HasField("int_domain")
        dtypes[feature.name] = tf.int64 if categorical else tf.float32
    return dict(sorted(dtypes.items()))


def transformed_split(transform, split: str) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """(features as the model reads them, label indices) of one split of Transform's output."""
    output = transform_output(transform)
    folder = os.path.join(uri(transform.outputs["transformed_examples"]), f"Split-{split}")
    files = sorted(glob.glob(os.path.join(folder, "*")))
    if not files:
        raise FileNotFoundError(f"no transformed examples in {folder}: is '{split}' a split of this "
                                "Transform?")
    spec = output.transformed_feature_spec()
    columns = {name: [] for name in spec}
    for batch in tf.data.TFRecordDataset(files, compression_type="GZIP").batch(512):
        for name, values in tf.io.parse_example(batch, spec).items():
            columns[name].append(values.numpy())
    columns = {name: np.concatenate(parts) for name, parts in columns.items()}
    labels = columns.pop(LABEL)
    dtypes = input_dtypes(output)
    return {name: columns[name].astype(dtypes[name].as_numpy_dtype) for name in dtypes}, labels


def load_model(model) -> tf.Module:
    """The SavedModel of a Trainer (component, channel or Model artifact), or a folder holding one."""
    if isinstance(model, (str, os.PathLike)):
        return tf.saved_model.load(str(model))
    channel = model.outputs["model"] if hasattr(model, "outputs") else model
    return tf.saved_model.load(os.path.join(uri(channel), "Format-Serving"))


def as_tensors(features: dict) -> dict[str, tf.Tensor]:
    """[n] arrays -> the [n, 1] tensors the Keras model takes (tensors are passed through)."""
    return {name: tf.reshape(values, [-1, 1]) if isinstance(values, tf.Tensor)
            else tf.constant(np.asarray(values).reshape(-1, 1)) for name, values in features.items()}


def probabilities(model, features: dict) -> np.ndarray:
    """[n, 3] class probabilities of a loaded SavedModel (or a Keras model) on transformed features."""
    return np.asarray(model(as_tensors(features)))


def subset(features: dict, rows) -> dict[str, np.ndarray]:
    return {name: np.asarray(values)[rows] for name, values in features.items()}

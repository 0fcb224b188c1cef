"""Transform's module file for the course pipeline: how a raw penguin becomes model input (chapter 03).

TFX's Transform component loads this file and calls :func:`preprocessing_fn` to *trace* it into a
TensorFlow graph (the function is not called per example). Two kinds of operations meet in that graph:

* **analyzers** (``tft.mean``, ``tft.scale_to_z_score``, ``tft.quantiles``, ``tft.vocabulary``) need a full
  pass over the training data; Transform runs that pass with Beam and writes each result into the graph
  as a constant (a mean, a standard deviation, bucket boundaries) or an asset file (a vocabulary);
* **mappers** (``tf.*`` ops, ``tft.apply_buckets``, ``tft.apply_vocabulary``) work on one example at a
  time with those constants. The saved graph holds only mappers, so the trainer and the model server
  apply exactly the same transformation to a single request as Transform applied to the training set.

Every analyzer here reads raw values only (none reads another analyzer's output), so the analysis is one
pass over the data.

Inputs: the curated schema (data/penguins/schema/schema.pbtxt) gives no feature a fixed shape, so every
feature arrives as a ``tf.SparseTensor`` with 0 or 1 value per example. Missing values are made explicit:

* numeric features (``features.NUMERIC_FEATURES``): cast to float32, z-scored with the mean and standard
  deviation of the *present* values; a missing value becomes 0.0 (the training mean) and sets
  ``<name>_missing_xf`` to 1. ``features.BUCKETIZED_FEATURE`` is also cut into ``features.NUM_BUCKETS``
  quantile buckets (``<name>_bucket_xf``), a missing value counting as the training mean;
* categorical features (``features.CATEGORICAL_FEATURES``): an integer index into a vocabulary of the
  values seen in training, most frequent first. Unseen values *and* missing ones (filled with the empty
  string, which is never in a vocabulary) share ``features.NUM_OOV_BUCKETS`` out-of-vocabulary index;
* the label ``features.LABEL_KEY``: its index in the fixed list ``features.LABELS`` (a lookup table, not a
  vocabulary: a vocabulary's frequency order could change between deliveries, and with it the meaning of
  each class index); a species not in the list gets -1.

Every output feature is named ``<name>_xf`` (``features.TRANSFORMED_SUFFIX``), so raw and transformed
features never mix. Unit tests: tests/test_penguin_transform.py.
Chapter 03 prints this whole file.
"""

from __future__ import annotations

import importlib

import tensorflow as tf
import tensorflow_transform as tft

from utils.tfx_modules.transform import features

# TFX imports this file again when its folder changed, but Python would hand it the features module it
# imported first: without this reload, features.py edited in a running kernel would change the cache key
# (Transform runs again) and still be read as it was.
features = importlib.reload(features)

# Bucket boundaries are approximate quantiles; tft.bucketize uses the same tolerance for 4 buckets.
QUANTILES_EPSILON = 0.01


def transformed_name(name: str) -> str:
    """The name Transform gives a feature made from ``name``: ``bill_length_mm`` -> ``bill_length_mm_xf``."""
    return f"{name}{features.TRANSFORMED_SUFFIX}"


def missing_name(name: str) -> str:
    """The name of the indicator that ``name`` was missing: ``body_mass_g`` -> ``body_mass_g_missing_xf``."""
    return transformed_name(f"{name}{features.MISSING_SUFFIX}")


def bucket_name(name: str) -> str:
    """The name of the bucketized version of ``name``: ``body_mass_g`` -> ``body_mass_g_bucket_xf``."""
    return transformed_name(f"{name}{features.BUCKET_SUFFIX}")


def fill_missing(x, default) -> tf.Tensor:
    """One value per example: a [batch, 0 or 1] SparseTensor becomes a dense [batch] tensor, with
    ``default`` where the example has no value. A dense [batch, 1] tensor is only reshaped."""
    if isinstance(x, tf.SparseTensor):
        batch_size = x.dense_shape[0]
        one_column = tf.SparseTensor(x.indices, x.values, tf.stack([batch_size, tf.constant(1, tf.int64)]))
        x = tf.sparse.to_dense(one_column, default_value=default)
    return tf.reshape(x, [-1])


def missing_indicator(x) -> tf.Tensor:
    """1 (int64) for an example without a value, 0 for one with a value."""
    if not isinstance(x, tf.SparseTensor):
        return tf.zeros_like(tf.reshape(x, [-1]), dtype=tf.int64)
    present = tf.SparseTensor(x.indices, tf.zeros_like(x.values, dtype=tf.int64), x.dense_shape)
    return fill_missing(present, default=tf.constant(1, tf.int64))


def present_values(x) -> tf.Tensor:
    """The values that are there, flattened: what an analyzer should see of a feature with gaps."""
    return x.values if isinstance(x, tf.SparseTensor) else tf.reshape(x, [-1])


def as_float(x):
    """The same (sparse) tensor with float32 values: body_mass_g and flipper_length_mm are INT."""
    if isinstance(x, tf.SparseTensor):
        return tf.SparseTensor(x.indices, tf.cast(x.values, tf.float32), x.dense_shape)
    return tf.cast(x, tf.float32)


def scale_numeric(values) -> tf.Tensor:
    """z-score with the mean and standard deviation of the present training values (analyzers);
    a missing value gets 0.0, which is the training mean."""
    return fill_missing(tft.scale_to_z_score(values), default=0.0)


def impute_mean(values) -> tf.Tensor:
    """The raw value, or the mean of the present training values (analyzer) where it is missing."""
    return fill_missing(values, default=tft.mean(values))


def bucketize(values, num_buckets: int) -> tf.Tensor:
    """Quantile bucket index 0..num_buckets-1; boundaries from the present training values (analyzer),
    a missing value counted as the training mean. Same as tft.bucketize, without imputing first."""
    boundaries = tft.quantiles(present_values(values), num_buckets=num_buckets, epsilon=QUANTILES_EPSILON)
    return tft.apply_buckets(impute_mean(values), boundaries)


def index_categories(values, vocab_filename: str, num_oov_buckets: int) -> tf.Tensor:
    """Index of each value in a vocabulary of the present training values, most frequent first
    (analyzer). The empty string stands for "missing": it is never in the vocabulary (tft.vocabulary skips
    empty strings), so a missing value gets an OOV index (or -1 without OOV buckets), like a value never
    seen in training. ``tft.compute_and_apply_vocabulary`` on the SparseTensor would keep the gaps (a
    missing value would get no index at all); here the vocabulary reads the present values and the
    lookup reads one filled value per example."""
    vocabulary = tft.vocabulary(values, vocab_filename=vocab_filename)
    return tft.apply_vocabulary(fill_missing(values, default=""), vocabulary,
                                num_oov_buckets=num_oov_buckets, default_value=-1)


def index_label(values) -> tf.Tensor:
    """Index of each label in ``features.LABELS`` (a mapper: the table is fixed, no analyzer needed);
    a label not in the list, or a missing one, gets -1."""
    table = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(keys=tf.constant(features.LABELS),
                                            values=tf.range(len(features.LABELS), dtype=tf.int64)),
        default_value=-1)
    return table.lookup(fill_missing(values, default=""))


def preprocessing_fn(inputs: dict) -> dict:
    """Raw penguin features (as the schema describes them) -> the features the model trains on.

    Transform calls this to trace it, not per example; the graph runs on the training data and, saved as the
    transform graph, on every serving request. Without the label (the SERVING environment), the label's
    output is left out of the graph.
    """
    outputs = {}
    for name in features.NUMERIC_FEATURES:
        values = as_float(inputs[name])
        outputs[transformed_name(name)] = scale_numeric(values)
        outputs[missing_name(name)] = missing_indicator(values)
        if name == features.BUCKETIZED_FEATURE:
            outputs[bucket_name(name)] = bucketize(values, features.NUM_BUCKETS)
    for name in features.CATEGORICAL_FEATURES:
        outputs[transformed_name(name)] = index_categories(
            inputs[name], vocab_filename=name, num_oov_buckets=features.NUM_OOV_BUCKETS)
    outputs[transformed_name(features.LABEL_KEY)] = index_label(inputs[features.LABEL_KEY])
    return outputs

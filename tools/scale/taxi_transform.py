"""The Transform module of the scale-out benchmark (tools/bench_scale.py): z-scores of the taxi sample's
numeric columns and vocabularies of two string columns, enough work for Beam to spread over workers.

SchemaGen infers every taxi column without a fixed shape (many have gaps), so each arrives as a
SparseTensor of one value per row at most; an empty field becomes 0 or ''.
"""

import tensorflow as tf
import tensorflow_transform as tft

NUMERIC = ("fare", "trip_miles", "trip_seconds", "pickup_latitude", "pickup_longitude", "dropoff_latitude",
           "dropoff_longitude", "tips")
CATEGORICAL = ("payment_type", "company")


def _dense(values):
    if isinstance(values, tf.sparse.SparseTensor):
        default = "" if values.dtype == tf.string else tf.zeros([], values.dtype)
        values = tf.sparse.to_dense(
            tf.SparseTensor(values.indices, values.values, [values.dense_shape[0], 1]), default)
    return tf.squeeze(values, axis=1)


def preprocessing_fn(inputs):
    outputs = {}
    for name in NUMERIC:
        outputs[f"{name}_xf"] = tft.scale_to_z_score(tf.cast(_dense(inputs[name]), tf.float32))
    for name in CATEGORICAL:
        outputs[f"{name}_xf"] = tft.compute_and_apply_vocabulary(_dense(inputs[name]), top_k=100,
                                                                 num_oov_buckets=1)
    return outputs

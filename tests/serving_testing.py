"""Helpers for the model server's tests: a tiny hand-made SavedModel with predict, classify and regress
signatures, folders of versions, and HTTP/gRPC clients that speak only the wire protocols."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import tensorflow as tf


def tiny_model(path: Path, offset: float = 1.0) -> Path:
    """A TF1-style SavedModel (what TF Serving's classify/regress need: method names and an ``inputs``
    tensor of serialized tf.Examples, which TF2's saved_model.save cannot write).

    Signatures: serving_default (predict; x: float [-1], tag: string [-1] -> y = 2x + offset, tag_bytes,
    count: int64), pairs (predict; m: float [-1, 2] -> total), classify_x (classes "pos"/"neg", scores from
    the feature x), regress_x (outputs = 2x + offset), both reading tf.Examples with a float feature x."""
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None], name="x")
        tag = tf.compat.v1.placeholder(tf.string, [None], name="tag")
        m = tf.compat.v1.placeholder(tf.float32, [None, 2], name="m")
        serialized = tf.compat.v1.placeholder(tf.string, [None], name="examples")
        parsed = tf.io.parse_example(serialized, {"x": tf.io.FixedLenFeature([], tf.float32, default_value=0.0)})
        ex = parsed["x"]
        positive = tf.sigmoid(ex)
        scores = tf.stack([positive, 1.0 - positive], axis=1)
        classes = tf.tile(tf.constant([["pos", "neg"]]), [tf.shape(ex)[0], 1])
        sig = tf.compat.v1.saved_model
        signatures = {
            "serving_default": sig.predict_signature_def(
                {"x": x, "tag": tag},
                {"y": 2.0 * x + offset, "tag_bytes": tf.identity(tag), "count": tf.cast(tf.size(x), tf.int64)
                 * tf.ones_like(x, dtype=tf.int64)}),
            "pairs": sig.predict_signature_def({"m": m}, {"total": tf.reduce_sum(m, axis=1)}),
            "classify_x": sig.classification_signature_def(serialized, classes, scores),
            "regress_x": sig.regression_signature_def(serialized, 2.0 * ex + offset),
        }
        with tf.compat.v1.Session() as session:
            builder = sig.Builder(str(path))
            builder.add_meta_graph_and_variables(session, ["serve"], signature_def_map=signatures)
            builder.save()
    return path


def copy_version(source: Path, base: Path, version: int) -> Path:
    """Copy a SavedModel folder into ``base/<version>``, as TFX's Pusher does (not atomically)."""
    target = base / str(version)
    shutil.copytree(source, target)
    return target


def http(method: str, url: str, body=None, raw: bytes | None = None, timeout: float = 30.0):
    """-> (status, parsed JSON body). ``body`` is sent as JSON, ``raw`` as given."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())

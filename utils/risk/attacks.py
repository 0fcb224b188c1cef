"""Adversarial examples on the course model: the fast gradient sign method (FGSM) on the z-scored
measurements, by hand with ``tf.GradientTape`` and with the Adversarial Robustness Toolbox (ART).

An FGSM step moves every measurement of an example by ``eps`` training standard deviations in the
direction that increases the model's loss: ``x + eps * sign(d loss / d x)``. Categories, missing flags and
the body-mass bucket are not moved (no gradient flows through a table lookup or a bucket).
The attack "succeeds" on an example the model classified correctly when the perturbed example is not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import tensorflow as tf

from utils.risk.model_inputs import NUMERIC, as_tensors, probabilities


def fgsm(model, features: dict, labels: np.ndarray, eps: float, columns=NUMERIC) -> dict[str, np.ndarray]:
    """The features with ``columns`` moved one signed-gradient step of size ``eps``."""
    tensors = as_tensors(features)
    moved = {name: tf.Variable(tf.cast(tensors[name], tf.float32)) for name in columns}
    with tf.GradientTape() as tape:
        predictions = model({**tensors, **moved})
        loss = tf.keras.losses.sparse_categorical_crossentropy(labels, predictions)
    gradients = tape.gradient(loss, list(moved.values()))
    out = dict(features)
    for (name, variable), gradient in zip(moved.items(), gradients, strict=True):
        out[name] = (variable + eps * tf.sign(gradient)).numpy().reshape(-1).astype(np.float32)
    return out


def success_rate(model, features: dict, labels: np.ndarray, perturbed: dict) -> float:
    """Among the examples the model got right, the share it gets wrong once perturbed."""
    right = probabilities(model, features).argmax(1) == labels
    if not right.any():
        raise ValueError("the model gets none of these examples right: nothing to attack")
    wrong_after = probabilities(model, perturbed).argmax(1) != labels
    return float(np.mean(wrong_after[right]))


def sweep(model, features: dict, labels: np.ndarray, epsilons) -> pd.DataFrame:
    """Attack success rate for every eps (FGSM by hand)."""
    rows = [{"eps": float(eps), "success_rate": success_rate(model, features, labels,
                                                             fgsm(model, features, labels, eps))}
            for eps in epsilons]
    return pd.DataFrame(rows).set_index("eps")


class ArtView:
    """The model as ART sees it: one float matrix per batch, the measurements first (so ART's ``mask``
    can say "move only these"), the other inputs after them, cast back to their dtypes."""

    def __init__(self, model, dtypes: dict):
        self.model, self.dtypes = model, dict(dtypes)
        self.order = list(NUMERIC) + sorted(name for name in self.dtypes if name not in NUMERIC)

    def matrix(self, features: dict) -> np.ndarray:
        return np.stack([np.asarray(features[name], np.float32).reshape(-1) for name in self.order], axis=1)

    def features(self, matrix: np.ndarray) -> dict[str, np.ndarray]:
        return {name: np.asarray(matrix[:, i]).astype(self.dtypes[name].as_numpy_dtype)
                for i, name in enumerate(self.order)}

    def mask(self) -> np.ndarray:
        return np.array([name in NUMERIC for name in self.order], np.float32)

    def __call__(self, x, training: bool = False):  # ART passes training=
        x = tf.convert_to_tensor(x, tf.float32)
        inputs = {name: (tf.cast(tf.round(x[:, i:i + 1]), tf.int64) if self.dtypes[name] == tf.int64
                         else x[:, i:i + 1]) for i, name in enumerate(self.order)}
        return self.model(inputs)

    def classifier(self, num_classes: int = 3):
        from art.estimators.classification import TensorFlowV2Classifier

        return TensorFlowV2Classifier(model=self, nb_classes=num_classes, input_shape=(len(self.order),),
                                      loss_object=tf.keras.losses.CategoricalCrossentropy())


def plot(curves: dict[str, pd.DataFrame], title: str = "FGSM on the measurements"):
    """Attack success rate against eps, one line per model (static matplotlib)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    for name, curve in curves.items():
        ax.plot(curve.index, curve["success_rate"], marker="o", label=name)
    ax.set_xlabel("eps (training standard deviations per measurement)")
    ax.set_ylabel("attack success rate")
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    plt.close(fig)
    return fig

"""Models trained outside the pipeline, on Transform's output, for experiments: adversarial training
(a defence) and rebalanced training data (bias). They are never given to an Evaluator that could bless
them: chapter 10 measures them with TFMA directly (``tfma.run_model_analysis``) or on NumPy.

Same architecture, hyperparameters and export as the Trainer's (``penguin_trainer.build_model`` and
``export``), trained with a seeded loop of mini-batches.
"""

from __future__ import annotations

import json

import numpy as np
import tensorflow as tf

from utils import paths
from utils.risk.attacks import fgsm
from utils.risk.model_inputs import as_tensors, subset
from utils.tfx_modules.trainer import model_settings, penguin_trainer


def tuned_hyperparameters() -> dict:
    """The committed Tuner result the course model was trained with (its ``values``)."""
    return json.loads(paths.TUNED_HYPERPARAMETERS.read_text())["values"]


def train(tf_transform_output, features: dict, labels: np.ndarray, epochs: int = 20,
          adversarial_eps: float = 0.0, seed: int = model_settings.SEED):
    """A Keras model of the course's architecture fitted on (features, labels). With ``adversarial_eps``,
    every batch is trained on together with its FGSM examples at that eps (adversarial training)."""
    penguin_trainer.reset()
    tf.keras.utils.set_random_seed(seed)
    model = penguin_trainer.build_model(tf_transform_output, tuned_hyperparameters())
    order = np.random.default_rng(seed)
    for _ in range(epochs):
        rows = order.permutation(len(labels))
        for start in range(0, len(rows), model_settings.BATCH_SIZE):
            batch = rows[start:start + model_settings.BATCH_SIZE]
            x, y = subset(features, batch), labels[batch]
            if adversarial_eps:
                attacked = fgsm(model, x, y, adversarial_eps)
                x = {name: np.concatenate([x[name], attacked[name]]) for name in x}
                y = np.concatenate([y, y])
            model.train_on_batch(as_tensors(x), y)
    return model


def export(model, tf_transform_output, folder) -> str:
    """Save with the transform graph and the course's three signatures (what TFMA and the server call)."""
    penguin_trainer.export(model, tf_transform_output, str(folder))
    return str(folder)


def oversample(groups: np.ndarray, seed: int = model_settings.SEED) -> np.ndarray:
    """Row indices in which every group appears as often as the largest one (rows of the smaller groups
    drawn again at random): the training data rebalanced by group."""
    rng = np.random.default_rng(seed)
    values, counts = np.unique(groups, return_counts=True)
    picked = [np.concatenate([np.flatnonzero(groups == value),
                              rng.choice(np.flatnonzero(groups == value), counts.max() - count)])
              for value, count in zip(values, counts, strict=True)]
    return np.sort(np.concatenate(picked))

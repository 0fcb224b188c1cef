"""Membership inference, the baseline attack: a model is usually more confident on the examples it was
trained on than on others, so its confidence alone says "this one was in the training data" better than
chance. Measured as the AUC of the confidence in the true class, training examples against held-out ones
(0.5: no leak; 1.0: every training example given away)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score


def true_class_confidence(probabilities: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The probability the model gives each example's true class."""
    probabilities, labels = np.asarray(probabilities), np.asarray(labels)
    if probabilities.shape[0] != labels.shape[0]:
        raise ValueError(f"{probabilities.shape[0]} rows of probabilities for {labels.shape[0]} labels")
    return probabilities[np.arange(len(labels)), labels]


def attack_auc(train_confidence, holdout_confidence) -> float:
    """AUC of "the more confident, the likelier a training member" (ties count half)."""
    scores = np.concatenate([train_confidence, holdout_confidence])
    members = np.concatenate([np.ones(len(train_confidence)), np.zeros(len(holdout_confidence))])
    return float(roc_auc_score(members, scores))


def confidence_gap(train_confidence, holdout_confidence) -> float:
    """Mean confidence on training examples minus on held-out ones."""
    return float(np.mean(train_confidence) - np.mean(holdout_confidence))

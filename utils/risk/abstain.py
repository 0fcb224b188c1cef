"""The worst case and a mitigation: the model may be wrong *and* sure of itself. Abstaining below a
confidence threshold trades coverage (the share of requests answered) for error (the share of answered
requests that are wrong)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def coverage_error(probabilities: np.ndarray, labels: np.ndarray, thresholds) -> pd.DataFrame:
    """Per threshold: the share answered (max probability >= threshold), the error among the answered,
    and how many wrong answers still go out."""
    probabilities, labels = np.asarray(probabilities), np.asarray(labels)
    confidence, wrong = probabilities.max(1), probabilities.argmax(1) != labels
    rows = []
    for threshold in thresholds:
        answered = confidence >= threshold
        rows.append({"threshold": float(threshold), "coverage": float(answered.mean()),
                     "error": float(wrong[answered].mean()) if answered.any() else 0.0,
                     "wrong_answered": int((wrong & answered).sum()), "answered": int(answered.sum())})
    return pd.DataFrame(rows).set_index("threshold")


def confidently_wrong(probabilities: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """The wrong answers, most confident first: index, predicted and true class, confidence."""
    probabilities, labels = np.asarray(probabilities), np.asarray(labels)
    predicted = probabilities.argmax(1)
    rows = [{"row": int(i), "predicted": int(predicted[i]), "true": int(labels[i]),
             "confidence": float(probabilities[i].max())} for i in np.flatnonzero(predicted != labels)]
    columns = ["row", "predicted", "true", "confidence"]
    return pd.DataFrame(rows, columns=columns).sort_values("confidence", ascending=False, ignore_index=True)


def plot(curves: dict[str, pd.DataFrame]):
    """Error among answered against coverage, one line per data set (static matplotlib)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    for name, curve in curves.items():
        ax.plot(curve["coverage"], curve["error"], marker=".", label=name)
    ax.set_xlabel("coverage (share of requests answered)")
    ax.set_ylabel("error among answered")
    ax.invert_xaxis()
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    plt.close(fig)
    return fig

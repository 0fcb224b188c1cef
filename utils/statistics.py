"""Statistics you can see everywhere: tables and plots built from TFDV's statistics proto.

TFDV's own view (``tfdv.visualize_statistics``, Facets) loads its code from a CDN: it stays blank offline
and in static HTML. These helpers read the same ``DatasetFeatureStatisticsList`` and draw pandas tables and
matplotlib figures, which render in JupyterLab, in the executed HTML and offline.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import tensorflow_data_validation as tfdv
from matplotlib.ticker import MaxNLocator
from tensorflow_metadata.proto.v0 import statistics_pb2
from tfx.types import artifact_utils

STATS_FILE = "FeatureStats.pb"


def load(statistics, split: str) -> statistics_pb2.DatasetFeatureStatisticsList:
    """The statistics of one split of an ExampleStatistics artifact (or of a channel holding one)."""
    artifact = list(statistics.get())[0] if hasattr(statistics, "get") else statistics
    names = artifact_utils.decode_split_names(artifact.split_names)
    if split not in names:
        raise KeyError(f"split '{split}' is not in these statistics; they have {names}")
    path = Path(artifact_utils.get_split_uri([artifact], split)) / STATS_FILE
    return tfdv.load_stats_binary(str(path))


def _features(stats: statistics_pb2.DatasetFeatureStatisticsList):
    [dataset] = stats.datasets
    return dataset.num_examples, sorted(dataset.features, key=lambda f: f.path.step[0])


def _without_value(common: statistics_pb2.CommonStatistics) -> int:
    """Examples with no value: the feature absent, or present with an empty list (CSV's empty field)."""
    empty = common.num_non_missing - common.tot_num_values if common.max_num_values <= 1 else 0
    return int(common.num_missing + empty)


def numeric_table(stats: statistics_pb2.DatasetFeatureStatisticsList) -> pd.DataFrame:
    """One row per numeric feature: examples, missing, min, mean, standard deviation, max, zeros."""
    total, features = _features(stats)
    rows = []
    for feature in features:
        if feature.WhichOneof("stats") != "num_stats":
            continue
        num = feature.num_stats
        rows.append({
            "feature": feature.path.step[0],
            "type": statistics_pb2.FeatureNameStatistics.Type.Name(feature.type),
            "examples": total,
            "missing": _without_value(num.common_stats),
            "min": num.min, "mean": num.mean, "std": num.std_dev, "max": num.max,
            "zeros": int(num.num_zeros),
        })
    return pd.DataFrame(rows).set_index("feature").round(2)


def categorical_table(stats: statistics_pb2.DatasetFeatureStatisticsList, top: int = 3) -> pd.DataFrame:
    """One row per string feature: examples, missing, distinct values, the most frequent ones."""
    total, features = _features(stats)
    rows = []
    for feature in features:
        if feature.WhichOneof("stats") != "string_stats":
            continue
        strings = feature.string_stats
        rows.append({
            "feature": feature.path.step[0],
            "examples": total,
            "missing": _without_value(strings.common_stats),
            "distinct": int(strings.unique),
            "top values": ", ".join(f"{v.value} ({v.frequency:.0f})" for v in strings.top_values[:top]),
        })
    return pd.DataFrame(rows).set_index("feature")


def top_values(stats: statistics_pb2.DatasetFeatureStatisticsList, feature: str) -> dict[str, int]:
    """Value -> count of a string feature, most frequent first."""
    return {v.label: int(v.sample_count)
            for v in _feature(stats, feature).string_stats.rank_histogram.buckets}


def _feature(stats, name: str) -> statistics_pb2.FeatureNameStatistics:
    _, features = _features(stats)
    for feature in features:
        if feature.path.step[0] == name:
            return feature
    raise KeyError(f"no feature '{name}' in these statistics")


def _histogram(feature: statistics_pb2.FeatureNameStatistics):
    for histogram in feature.num_stats.histograms:
        if histogram.type == statistics_pb2.Histogram.STANDARD:
            return histogram
    return None


def plot(stats_by_name: dict[str, statistics_pb2.DatasetFeatureStatisticsList],
         features: list[str] | None = None, columns: int = 4):
    """A grid of small plots, one per feature: histograms for numbers, bars for strings.

    With several statistics (e.g. {"train": ..., "new span": ...}) each plot overlays them as shares of
    their examples, which makes a drift visible.
    """
    first = next(iter(stats_by_name.values()))
    names = features or [f.path.step[0] for f in _features(first)[1]]
    rows = -(-len(names) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.4 * rows), squeeze=False)
    for axis, name in zip(axes.flat, names, strict=False):
        for label, stats in stats_by_name.items():
            total, _ = _features(stats)
            feature = _feature(stats, name)
            if feature.WhichOneof("stats") == "num_stats" and _histogram(feature):
                buckets = _histogram(feature).buckets
                axis.stairs([b.sample_count / total for b in buckets],
                            [buckets[0].low_value] + [b.high_value for b in buckets], label=label,
                            fill=len(stats_by_name) == 1, alpha=0.8)
                if feature.type == statistics_pb2.FeatureNameStatistics.INT:  # a year is 2007, not 2007.5
                    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
            else:
                counts = top_values(stats, name)
                axis.bar(list(counts), [c / total for c in counts.values()], alpha=0.6, label=label)
                axis.tick_params(axis="x", labelrotation=30)
        axis.set_title(name, fontsize=10)
        axis.set_ylabel("share of examples", fontsize=8)
    for axis in list(axes.flat)[len(names):]:
        axis.set_visible(False)
    if len(stats_by_name) > 1:
        axes.flat[0].legend(fontsize=8)
    figure.tight_layout()
    return figure


def num_examples(stats: statistics_pb2.DatasetFeatureStatisticsList) -> int:
    """How many examples the statistics describe (0 for an empty delivery: TFDV then only sets
    ``data_missing`` and reports no anomaly, which is why chapter 02 adds DataGate)."""
    return int(_features(stats)[0])

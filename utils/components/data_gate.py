"""DataGate: the pipeline step that stops a run when ExampleValidator found something (chapter 02).

ExampleValidator *reports* anomalies; it never stops a pipeline, and it even marks an empty delivery as
blessed (TFDV sets ``data_missing`` and no anomaly for a data set without examples, and the validator's
``blessed`` property looks at anomalies only). DataGate reads the ExampleAnomalies artifact, split by
split, and fails its execution, and with it the run, when a split has

* ``data_missing``: no examples at all (an empty file, a file with only a header);
* a dataset anomaly, e.g. ``DATASET_LOW_NUM_EXAMPLES`` from the schema's
  ``dataset_constraints.min_examples_count``;
* a feature anomaly (a dropped column, a wrong type, an unknown value, a value out of range...).

It is a Python function component (``@tfx.dsl.components.component``): its whole logic is one function of
one input artifact, it has no outputs and no Beam job, so a function with typed arguments says everything
TFX needs. Components that must wait for it (Transform) declare ``add_upstream_node(data_gate)`` in an
orchestrated pipeline: an execution order only (experimental in TFX 1.16, and ML Metadata records no
lineage between the two, since no artifact passes). The gate cannot see what else runs: only the
components that wait for it are held back. In the notebooks, the cell that runs DataGate fails and stops
the chapter.

No ``from __future__ import annotations`` here: the decorator reads the argument annotations as types.
"""

from tfx import v1 as tfx
from tfx.types import artifact_utils

from utils import validation

WHAT_TO_DO = (
    "What to do: read the anomalies of that split (validation.table(...) or tfdv.display_anomalies(...) "
    "on ExampleValidator's output). If the delivery is wrong, fix it at its source and deliver it again "
    "(a new version of the span); if the world changed, change the curated schema "
    "data/penguins/schema/schema.pbtxt on purpose and have it reviewed (chapter 02). "
    "Components that wait for DataGate (transform.add_upstream_node(gate)) do not run on these data."
)


class DataGateError(RuntimeError):
    """DataGate refused the data: the message names each failing split and what was found."""


def split_problems(anomalies) -> list[str]:
    """What is wrong with one split's Anomalies proto, one line each; empty when the split may pass."""
    problems = []
    if anomalies.data_missing:
        problems.append("no examples at all (data_missing): the delivery is empty or has only a header")
    if anomalies.HasField("dataset_anomaly_info"):
        info = anomalies.dataset_anomaly_info
        reasons = "; ".join(f"{validation.anomaly_name(r.type)} ({r.description})" for r in info.reason)
        problems.append(f"the data set as a whole: {reasons}")
    for feature, kinds in validation.found(anomalies).items():
        problems.append(f"feature '{feature}': {', '.join(kinds)}")
    return problems


def problems_by_split(anomalies_artifact) -> dict[str, list[str]]:
    """{split: [problem, ...]} for every split of an ExampleAnomalies artifact that may not pass."""
    splits = artifact_utils.decode_split_names(anomalies_artifact.split_names)
    if not splits:
        raise DataGateError(f"the anomalies at {anomalies_artifact.uri} name no split: nothing was "
                            "validated. Check ExampleValidator's statistics input and exclude_splits.")
    found = {split: split_problems(validation.load(anomalies_artifact, split)) for split in splits}
    return {split: problems for split, problems in found.items() if problems}


def refusal(problems: dict[str, list[str]], total_splits: int) -> str:
    """The error message: which splits failed, what was found in each, and what to do."""
    lines = [f"DataGate stopped the run: {len(problems)} of {total_splits} split(s) failed validation."]
    for split, found in problems.items():
        lines.append(f"  split '{split}':")
        lines.extend(f"    - {problem}" for problem in found)
    lines.append(WHAT_TO_DO)
    return "\n".join(lines)


def check(anomalies_artifact) -> list[str]:
    """Raise :class:`DataGateError` unless every split passed; return the names of the splits checked."""
    splits = artifact_utils.decode_split_names(anomalies_artifact.split_names)
    problems = problems_by_split(anomalies_artifact)
    if problems:
        raise DataGateError(refusal(problems, len(splits)))
    return splits


@tfx.dsl.components.component
def DataGate(anomalies: tfx.dsl.components.InputArtifact[tfx.types.standard_artifacts.ExampleAnomalies]):
    """Fail the run when any split of ``anomalies`` (ExampleValidator's output) has an anomaly, a dataset
    anomaly or no data at all; do nothing otherwise."""
    check(anomalies)

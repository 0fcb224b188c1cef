"""A model card written from the pipeline's own records (chapter 10): what the model was trained on, how
it was judged and what it is for, read from ML Metadata and the artifacts, never typed by hand.

``facts(store, model)`` follows the lineage in ML Metadata from a Model artifact: the Trainer's execution
and its inputs (transformed examples, hyperparameters), the Transform that made those examples and its
inputs (the ExampleGen examples, the schema), the StatisticsGen statistics of the same examples, and the
Evaluators that judged the model (metrics per slice, blessing). ``markdown(facts, ...)`` writes the card.
(The model-card-toolkit package cannot be installed beside TFX 1.16: it needs jsonschema < 4, and the
course's lock has 4.26.)
"""

from __future__ import annotations

import json
import os

from ml_metadata.proto import metadata_store_pb2
from tfx.types import standard_artifacts

from utils import config, evaluation, metadata, schema, statistics

OUTPUT, INPUT = metadata_store_pb2.Event.OUTPUT, metadata_store_pb2.Event.INPUT


def _producer(store, artifact_id: int):
    """The (first) execution that output this artifact; cached re-runs output the same artifact."""
    ids = sorted(e.execution_id for e in store.get_events_by_artifact_ids([artifact_id]) if e.type == OUTPUT)
    if not ids:
        raise LookupError(f"no execution in the store output artifact {artifact_id}")
    return store.get_executions_by_id([ids[0]])[0]


def _inputs(store, execution) -> dict[str, list]:
    """{input key: [artifacts]} of an execution, as its INPUT events recorded them."""
    found: dict[str, list[int]] = {}
    for event in store.get_events_by_execution_ids([execution.id]):
        if event.type == INPUT:
            found.setdefault(event.path.steps[0].key, []).append(event.artifact_id)
    return {key: store.get_artifacts_by_id(ids) for key, ids in found.items()}


def _consumers(store, artifact_id: int, component_prefix: str = "") -> list:
    ids = {e.execution_id for e in store.get_events_by_artifact_ids([artifact_id]) if e.type == INPUT}
    return [e for e in store.get_executions_by_id(sorted(ids))
            if e.properties["component_id"].string_value.startswith(component_prefix)]


def _outputs(store, execution, key: str) -> list:
    ids = [e.artifact_id for e in store.get_events_by_execution_ids([execution.id])
           if e.type == OUTPUT and e.path.steps[0].key == key]
    return store.get_artifacts_by_id(ids)


def facts(store, model) -> dict:
    """Everything the card states, from the store. ``model``: the Model artifact (or a channel of one)."""
    model_id = (list(model.get())[0] if hasattr(model, "get") else model).id
    [model_record] = store.get_artifacts_by_id([model_id])
    trainer = _producer(store, model_id)
    trainer_inputs = _inputs(store, trainer)
    [transformed] = trainer_inputs["examples"]
    transform = _producer(store, transformed.id)
    transform_inputs = _inputs(store, transform)
    [raw_examples], [schema_artifact] = transform_inputs["examples"], transform_inputs["schema"]
    raw = metadata.properties(raw_examples)
    counts = {}
    for execution in _consumers(store, raw_examples.id, "StatisticsGen"):
        for record in _outputs(store, execution, "statistics"):
            artifact = standard_artifacts.ExampleStatistics()
            artifact.set_mlmd_artifact(record)  # the TFX view of the stored record: split names, uri
            counts = {split: statistics.num_examples(statistics.load(artifact, split))
                      for split in json.loads(raw["split_names"])}
        break
    hyperparameters = {}
    for artifact in trainer_inputs.get("hyperparameters", []):
        [name] = os.listdir(artifact.uri)
        hyperparameters = json.loads(open(os.path.join(artifact.uri, name)).read())["values"]
    evaluations, seen = [], set()
    for execution in _consumers(store, model_id, ""):
        inputs = _inputs(store, execution)
        judged = [m.id for m in inputs.get("model", [])]
        if "eval_config" not in execution.properties or model_id not in judged:
            continue  # not an Evaluator, or one that read this model as the baseline of another
        [evaluation_artifact] = _outputs(store, execution, "evaluation")
        if evaluation_artifact.id in seen:
            continue  # a cached re-run hands back the same evaluation
        seen.add(evaluation_artifact.id)
        [blessing] = _outputs(store, execution, "blessing")
        name = "candidate" if "baseline_model" in inputs else ""
        evaluations.append({"evaluator": execution.properties["component_id"].string_value,
                            "blessed": bool(metadata.properties(blessing).get("blessed")),
                            "metrics": evaluation.metrics_table(evaluation_artifact, name)})
    curated = schema.load(schema_artifact)
    return {
        "model_id": model_id, "model_uri": model_record.uri,
        "trainer": trainer.properties["component_id"].string_value,
        "train_steps": json.loads(trainer.properties["train_args"].string_value).get("num_steps"),
        "hyperparameters": hyperparameters,
        "examples_id": raw_examples.id, "span": raw.get("span"), "version": raw.get("version"),
        "input_base": _producer(store, raw_examples.id).properties["input_base"].string_value,
        "split_counts": counts,
        "schema_features": schema.features_table(curated),
        "label": config.LABEL_KEY, "classes": list(config.LABELS),
        "evaluations": evaluations,
    }


def _table(frame) -> str:
    """A pandas table as Markdown (pandas' to_markdown needs the tabulate package, not in the lock)."""
    header = [frame.index.name or ""] + [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for index, *values in frame.itertuples():  # per column, so an int column stays int (iterrows casts)
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v) for v in values]
        lines.append("| " + " | ".join([str(index)] + cells) + " |")
    return "\n".join(lines)


def markdown(found: dict, intended_use: str, limits: list[str], metric_columns=("example_count", "accuracy"),
             title: str = "Penguin species classifier") -> str:
    """The card as Markdown: model, data, schema, evaluation per slice, intended use, limits."""
    lines = [f"# Model card: {title}", "",
             f"**Model:** artifact {found['model_id']} in ML Metadata, trained by `{found['trainer']}` for "
             f"{found['train_steps']} steps; hyperparameters "
             + ", ".join(f"{k} = {v}" for k, v in sorted(found["hyperparameters"].items())) + ".", "",
             "## Data", "",
             f"Examples artifact {found['examples_id']} (span {found['span']}"
             + (f", version {found['version']}" if found["version"] is not None else "") + ") "
             f"from `{os.path.basename(found['input_base'])}`: "
             + ", ".join(f"{split} {n}" for split, n in found["split_counts"].items()) + " examples. "
             f"Label `{found['label']}`, classes {', '.join(found['classes'])}.", "",
             "Features as the curated schema describes them:", "", _table(found["schema_features"]), "",
             "## Evaluation", ""]
    for judged in found["evaluations"]:
        verdict = "BLESSED" if judged["blessed"] else "NOT_BLESSED"
        columns = [c for c in metric_columns if c in judged["metrics"].columns]
        lines += [f"`{judged['evaluator']}`: {verdict}.", "", _table(judged["metrics"][columns]), ""]
    lines += ["## Intended use", "", intended_use, "", "## Limits", ""] + [f"- {item}" for item in limits]
    return "\n".join(lines) + "\n"

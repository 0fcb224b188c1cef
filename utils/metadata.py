"""Read the ML Metadata store: which artifacts exist, who produced them, from what.

The artifact objects a notebook holds are snapshots taken when the component was declared; ML Metadata
holds what the execution recorded (span, version, fingerprint...). These helpers read the store.
"""

from __future__ import annotations

import pandas as pd
from ml_metadata import metadata_store
from ml_metadata.proto import metadata_store_pb2


def _value(value: metadata_store_pb2.Value):
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None


def properties(artifact: metadata_store_pb2.Artifact) -> dict[str, object]:
    """Properties and custom properties of a stored artifact, as plain Python values."""
    found = {k: _value(v) for k, v in artifact.custom_properties.items()}
    found.update({k: _value(v) for k, v in artifact.properties.items()})
    return found


def producers(store: metadata_store.MetadataStore) -> dict[int, str]:
    """artifact id -> id of the component whose execution output it."""
    executions = {e.id: e for e in store.get_executions()}
    produced_by = {}
    for event in store.get_events_by_execution_ids(list(executions)):
        if event.type == metadata_store_pb2.Event.OUTPUT:
            execution = executions[event.execution_id]
            produced_by[event.artifact_id] = execution.properties["component_id"].string_value
    return produced_by


def artifacts_table(store: metadata_store.MetadataStore, type_name: str | None = None,
                    columns=("span", "version", "split_names")) -> pd.DataFrame:
    """One row per stored artifact (of one type, or all), with its producer, URI and chosen properties."""
    type_names = {t.id: t.name for t in store.get_artifact_types()}
    found = store.get_artifacts_by_type(type_name) if type_name else store.get_artifacts()
    produced_by = producers(store)
    rows = []
    for artifact in found:
        props = properties(artifact)
        rows.append({
            "id": artifact.id,
            "type": type_names[artifact.type_id],
            "producer": produced_by.get(artifact.id),
            **{c: props.get(c) for c in columns},
            "uri": artifact.uri,
        })
    return pd.DataFrame(rows).set_index("id") if rows else pd.DataFrame()


def stored(store: metadata_store.MetadataStore, artifact) -> dict[str, object]:
    """What the store recorded for an artifact object a notebook holds (or for a channel's only one)."""
    if hasattr(artifact, "get"):
        [artifact] = list(artifact.get())
    [record] = store.get_artifacts_by_id([artifact.id])
    return properties(record)


def executions_table(store: metadata_store.MetadataStore) -> pd.DataFrame:
    """One row per execution: component, state (complete or cached) and its input/output counts."""
    events = store.get_events_by_execution_ids([e.id for e in store.get_executions()])
    inputs: dict[int, int] = {}
    outputs: dict[int, int] = {}
    for event in events:
        target = outputs if event.type == metadata_store_pb2.Event.OUTPUT else inputs
        target[event.execution_id] = target.get(event.execution_id, 0) + 1
    rows = [{
        "id": e.id,
        "component": e.properties["component_id"].string_value,
        "state": e.properties["state"].string_value,
        "inputs": inputs.get(e.id, 0),
        "outputs": outputs.get(e.id, 0),
    } for e in store.get_executions()]
    return pd.DataFrame(rows).set_index("id") if rows else pd.DataFrame()

"""Walks through ML Metadata's lineage graph, for the views chapter 08 builds on its own queries.

Chapter 08 teaches the queries (``get_events_by_*``, filter queries, ``get_lineage_subgraph``) in the
notebook; this module holds what the views around them need: the execution that really made an artifact,
a subgraph without its cache records, one row per model (its trainer, data, verdicts and pushes), and how
often each component ran. Everything reads the store through the ``ml_metadata`` API only, so it runs on
any store (the tests build small ones in memory, utils/metadata_fakes.py).

Two facts of TFX 1.16's InteractiveContext shape these functions (chapter 08 shows both):

* a cache hit is an execution of its own (``last_known_state`` CACHED) with OUTPUT events to the *same*
  artifacts as the execution it reused, and a Resolver records OUTPUT events to the artifacts it resolved: an
  artifact can have several "producers". The one that made it is the first execution that output it
  (:func:`producers`);
* the component's id is the execution's ``component_id`` property; Importers and Resolvers are recorded
  CACHED even on their first run.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
from ml_metadata import metadata_store
from ml_metadata.proto import metadata_store_pb2

from utils.metadata import properties

Query = metadata_store_pb2.LineageSubgraphQueryOptions
MAX_HOPS = 20  # longer than any path in the course pipeline (ExampleGen to Pusher is 12 hops)


def component_id(execution: metadata_store_pb2.Execution) -> str:
    """The component id InteractiveContext records on an execution ('Trainer', 'Evaluator', ...)."""
    return execution.properties["component_id"].string_value


def is_cache_hit(execution: metadata_store_pb2.Execution) -> bool:
    """True for an execution TFX answered from its cache (Importers and Resolvers are always recorded so)."""
    return execution.last_known_state == metadata_store_pb2.Execution.CACHED


def subgraph(store: metadata_store.MetadataStore, artifact_ids, direction=Query.UPSTREAM,
             hops: int = MAX_HOPS) -> metadata_store_pb2.LineageGraph:
    """The lineage subgraph from the given artifacts, UPSTREAM (what they came from), DOWNSTREAM (what came
    of them) or BIDIRECTIONAL, up to ``hops`` edges away: artifacts, executions and events."""
    ids = sorted(set(artifact_ids))
    if not ids:
        raise ValueError("give at least one artifact id to start the lineage walk from")
    start = Query.StartingNodes(filter_query=" OR ".join(f"id = {i}" for i in ids))
    options = Query(starting_artifacts=start, max_num_hops=hops, direction=direction)
    return store.get_lineage_subgraph(options, ["artifacts", "executions", "events", "artifact_types"])


def producers(events) -> dict[int, int]:
    """artifact id -> id of the execution that made it: the first execution with an OUTPUT event to it
    (cache hits and Resolvers record OUTPUT events to artifacts that already existed)."""
    made_by: dict[int, int] = {}
    for event in events:
        if event.type == metadata_store_pb2.Event.OUTPUT:
            earliest = made_by.get(event.artifact_id, event.execution_id)
            made_by[event.artifact_id] = min(event.execution_id, earliest)
    return made_by


def without_cache_records(graph: metadata_store_pb2.LineageGraph) -> metadata_store_pb2.LineageGraph:
    """The same graph with only the executions that did the work: those that made one of their outputs, and
    those with no output that ran (a DataGate). Cache hits and Resolver records go, with their events."""
    made_by = producers(graph.events)
    outputs = {e.execution_id for e in graph.events if e.type == metadata_store_pb2.Event.OUTPUT}
    kept = {e.id for e in graph.executions
            if e.id in made_by.values() or (e.id not in outputs and not is_cache_hit(e))}
    pruned = metadata_store_pb2.LineageGraph()
    pruned.CopyFrom(graph)
    del pruned.executions[:]
    pruned.executions.extend(e for e in graph.executions if e.id in kept)
    del pruned.events[:]
    pruned.events.extend(e for e in graph.events if e.execution_id in kept)
    return pruned


def upstream_artifacts(store: metadata_store.MetadataStore, artifact_id: int,
                       type_name: str) -> list[metadata_store_pb2.Artifact]:
    """The artifacts of one type in an artifact's upstream lineage, e.g. the Examples a model came from."""
    graph = subgraph(store, [artifact_id], Query.UPSTREAM)
    [type_id] = [t.id for t in graph.artifact_types if t.name == type_name] or [None]
    return sorted((a for a in graph.artifacts if a.type_id == type_id and a.id != artifact_id),
                  key=lambda a: a.id)


def verdicts(store: metadata_store.MetadataStore) -> dict[int, list[tuple[str, int]]]:
    """model id -> [(evaluator's component id, blessed 1 or 0)] from every ModelBlessing in the store."""
    blessings = store.get_artifacts_by_type("ModelBlessing")
    made_by = _producer_executions(store, [b.id for b in blessings])
    found: dict[int, list[tuple[str, int]]] = {}
    for blessing in blessings:
        values = properties(blessing)
        if "current_model_id" in values:
            found.setdefault(values["current_model_id"], []).append(
                (component_id(made_by[blessing.id]), values.get("blessed")))
    return found


def pushes(store: metadata_store.MetadataStore, folder: str | Path | None = None) -> dict[int, list[str]]:
    """model id -> the versions it was pushed as: PushedModel artifacts with ``pushed`` = 1, each traced to
    the model its Pusher pushed (:func:`pushed_model`). ``folder``: only pushes into that folder of versions
    (chapter 06's is ``paths.serving_dir()``; chapter 07's demo pushes go to a folder of its own)."""
    def into_folder(artifact) -> bool:
        destination = Path(str(properties(artifact).get("pushed_destination")))
        return folder is None or destination.parent == Path(folder)

    pushed = [a for a in store.get_artifacts_by_type("PushedModel")
              if properties(a).get("pushed") == 1 and into_folder(a)]
    made_by = _producer_executions(store, [a.id for a in pushed])
    found: dict[int, list[str]] = {}
    for artifact in pushed:
        model = pushed_model(store, made_by[artifact.id].id)
        if model is not None:
            found.setdefault(model, []).append(str(properties(artifact).get("pushed_version", "")))
    return found


def pushed_model(store: metadata_store.MetadataStore, pusher_execution_id: int) -> int | None:
    """The id of the Model a Pusher execution pushed. Its ``model`` input if it had one; the course's Pusher
    (chapter 06) has none: it pushes the copy inside its ``infra_blessing``, whose validator read the model;
    else the model its ``model_blessing`` judged (``current_model_id``)."""
    read = _inputs(store, pusher_execution_id)
    if "model" in read:
        return read["model"]
    if "infra_blessing" in read:
        blessing = read["infra_blessing"]
        validator = producers(store.get_events_by_artifact_ids([blessing])).get(blessing)
        if validator is not None and "model" in _inputs(store, validator):
            return _inputs(store, validator)["model"]
    if "model_blessing" in read:
        [blessing] = store.get_artifacts_by_id([read["model_blessing"]])
        return properties(blessing).get("current_model_id")
    return None


def models_table(store: metadata_store.MetadataStore, folder: str | Path | None = None) -> pd.DataFrame:
    """One row per Model artifact: the Trainer that made it, its training steps, the raw Examples upstream
    (id, span, version), every Evaluator's verdict and the versions it was pushed as (into ``folder``
    only, if given: see :func:`pushes`)."""
    models = store.get_artifacts_by_type("Model")
    made_by = _producer_executions(store, [m.id for m in models])
    blessed, pushed = verdicts(store), pushes(store, folder)
    rows = []
    for model in models:
        trainer = made_by[model.id]
        raw = [a for a in upstream_artifacts(store, model.id, "Examples") if "span" in properties(a)]
        rows.append({
            "model": model.id,
            "trainer": component_id(trainer),
            "trainer execution": trainer.id,
            "train steps": _steps(trainer),
            "examples": ", ".join(str(a.id) for a in raw),
            "span/version": ", ".join(f"{properties(a)['span']}/{properties(a).get('version', '-')}"
                                      for a in raw),
            "blessed": ", ".join(f"{name}: {'yes' if ok else 'no'}"
                                 for name, ok in blessed.get(model.id, [])),
            "pushed version": ", ".join(pushed.get(model.id, [])),
        })
    columns = ["model", "trainer", "trainer execution", "train steps", "examples", "span/version", "blessed",
               "pushed version"]
    table = pd.DataFrame(rows, columns=columns).set_index("model")
    table["train steps"] = table["train steps"].astype("Int64")  # a model an Importer brought in has none
    return table


def runs_per_component(store: metadata_store.MetadataStore) -> pd.DataFrame:
    """How many executions of each component ran (COMPLETE), were cache hits (CACHED), or never finished."""
    counts: Counter = Counter()
    for execution in store.get_executions():
        state = metadata_store_pb2.Execution.State.Name(execution.last_known_state)
        counts[(component_id(execution), state)] += 1
    table = pd.Series(counts).unstack(fill_value=0) if counts else pd.DataFrame()
    table = table.rename(columns={"COMPLETE": "ran", "CACHED": "cache hits", "RUNNING": "never finished"})
    order = [c for c in ("ran", "cache hits", "never finished") if c in table.columns]
    table = table[order + [c for c in table.columns if c not in order]]
    table.index.name = "component"
    return table


def _producer_executions(store: metadata_store.MetadataStore,
                         artifact_ids) -> dict[int, metadata_store_pb2.Execution]:
    made_by = producers(store.get_events_by_artifact_ids(list(artifact_ids)))
    executions = {e.id: e for e in store.get_executions_by_id(set(made_by.values()))}
    return {artifact: executions[execution] for artifact, execution in made_by.items()}


def _inputs(store: metadata_store.MetadataStore, execution_id: int) -> dict[str, int]:
    """channel key -> the (first) artifact id an execution read under it."""
    found: dict[str, int] = {}
    for event in store.get_events_by_execution_ids([execution_id]):
        if event.type == metadata_store_pb2.Event.INPUT:
            found.setdefault(event.path.steps[0].key, event.artifact_id)
    return found


def _steps(trainer: metadata_store_pb2.Execution) -> int | None:
    text = trainer.properties["train_args"].string_value if "train_args" in trainer.properties else ""
    try:
        return int(json.loads(text).get("num_steps"))
    except (ValueError, TypeError, AttributeError):
        return None

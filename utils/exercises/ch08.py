"""Checks for chapter 08 (ML Metadata, lineage, versioning).

Every check compares the answer with what the store says, read through the ``ml_metadata`` API (the walks in
utils/lineage.py). Exercise 8.3's check also runs the student's function on a small store it builds in memory
(utils/metadata_fakes.py) that holds the traps a lineage query must survive.
"""

from __future__ import annotations

import re

from ml_metadata.proto import metadata_store_pb2

from utils import lineage, metadata_fakes
from utils.exercises.common import NOT_ATTEMPTED, exercise_check, require
from utils.metadata import properties

CHAPTER = "08_metadata_lineage"
MODULE_HASH = re.compile(r"-0\.0\+([0-9a-f]{64})-")  # in the wheel's name in a module_path property
INCIDENT_KEYS = ("model", "examples", "span", "schema", "trainer_code", "same_data_models")


def module_hash(execution: metadata_store_pb2.Execution) -> str | None:
    """The hash of a Trainer's or Transform's module folder, from its ``module_path`` property."""
    found = MODULE_HASH.search(execution.properties["module_path"].string_value)
    return found.group(1) if found else None


def _type_of(store, artifact_id) -> str | None:
    found = store.get_artifacts_by_id([artifact_id]) if isinstance(artifact_id, int) else []
    if not found:
        return None
    [artifact_type] = store.get_artifact_types_by_id([found[0].type_id])
    return artifact_type.name


def _raw_examples(store, model_id: int):
    """The Examples an ExampleGen wrote (they carry a span) upstream of a model."""
    raw = [a for a in lineage.upstream_artifacts(store, model_id, "Examples") if "span" in properties(a)]
    require(raw, f"model {model_id} has no ExampleGen output upstream: is it a model of this store?")
    return raw


def _int(answer) -> bool:
    return isinstance(answer, int) and not isinstance(answer, bool)


@exercise_check("8.1", CHAPTER)
def check_08_trainer_schema(store, model_id: int, answer):
    """8.1: the id of the Schema artifact upstream of the model (the Trainer has no schema input)."""
    if answer is None:
        return NOT_ATTEMPTED
    require(_int(answer), f"answer with an artifact id (an int), not {type(answer).__name__}")
    [expected] = [a.id for a in lineage.upstream_artifacts(store, model_id, "Schema")]
    kind = _type_of(store, answer)
    require(kind is not None,
            f"the store has no artifact {answer}: ask store.get_artifacts_by_id([{answer}])")
    require(answer != model_id, f"{answer} is the model itself; the question is which schema its data went "
                                "through")
    require(kind == "Schema", f"artifact {answer} is a {kind}, not a Schema: the Trainer's inputs are "
                              "Transform's outputs; look at the inputs of the execution that made them")
    if answer != expected:
        made_by = lineage.producers(store.get_events_by_artifact_ids([answer]))
        producer = store.get_executions_by_id([made_by[answer]]) if answer in made_by else []
        maker = lineage.component_id(producer[0]) if producer else "no execution"
        require(False, f"Schema {answer} was made by {maker}, and no execution on the model's path read it: "
                       "follow the events back from the model (Trainer, then Transform) to the Schema "
                       "Transform read")
    return (f"schema {expected}: the Trainer read none itself; Transform read it and handed the Trainer a "
            "transform graph made with it")


@exercise_check("8.2", CHAPTER)
def check_08_incident(store, pushed_id: int, answer):
    """8.2: from a pushed version to the model it pushed, back to its raw examples (id and span), schema and
    trainer code, and forward to every other model trained on the same examples."""
    if answer is None:
        return NOT_ATTEMPTED
    require(isinstance(answer, dict) and set(answer) == set(INCIDENT_KEYS),
            "answer with a dict with exactly the keys " + ", ".join(f'"{k}"' for k in INCIDENT_KEYS))
    pusher = lineage.producers(store.get_events_by_artifact_ids([pushed_id]))[pushed_id]
    model_id = lineage.pushed_model(store, pusher)
    given = answer["model"]
    require(_int(given), '"model": the Model artifact\'s id (an int)')
    if given != model_id:
        blessings = store.get_artifacts_by_type("ModelBlessing")
        baselines = {properties(b).get("baseline_model_id") for b in blessings
                     if properties(b).get("current_model_id") == model_id}
        require(given not in baselines,
                f'"model": model {given} is the baseline the Evaluator compared the pushed model with; it '
                "is upstream of the push too (through the blessing), but the Pusher pushed the model the "
                "blessing judged (its current_model_id), the one the infra validator loaded")
        require(False, '"model": follow the Pusher\'s inputs: the current_model_id of its model_blessing, '
                       "or the model its infra_blessing's validator read")
    raw = _raw_examples(store, model_id)
    raw_ids = [a.id for a in raw]
    examples = answer["examples"]
    require(_int(examples), '"examples": an artifact id (an int)')
    if examples not in raw_ids and _type_of(store, examples) == "Examples":
        require("span" in properties(store.get_artifacts_by_id([examples])[0]),
                f'"examples": artifact {examples} was written by Transform (transformed examples, no span); '
                "the data the team delivered are further upstream, written by an ExampleGen")
    require(examples in raw_ids, f'"examples": artifact {examples} is not upstream of model {model_id}; walk '
                                 "UPSTREAM from the model and keep the Examples that carry a span")
    [record] = store.get_artifacts_by_id([examples])
    require(answer["span"] == properties(record)["span"],
            f"\"span\": read custom_properties['span'] of artifact {examples} (ExampleGen records it as a "
            "custom property, not a property)")
    [schema] = [a.id for a in lineage.upstream_artifacts(store, model_id, "Schema")]
    require(answer["schema"] == schema,
            '"schema": the Schema artifact Transform read on the way to the model (exercise 8.1\'s question)')
    made_by = lineage.producers(store.get_events_by_artifact_ids([model_id]))
    [trainer] = store.get_executions_by_id([made_by[model_id]])
    code = module_hash(trainer)
    given = answer["trainer_code"]
    require(isinstance(given, str), '"trainer_code": the hash as a string (64 hexadecimal characters)')
    transform_hashes = {module_hash(e) for e in store.get_executions()
                        if lineage.component_id(e) == "Transform"}
    require(given not in transform_hashes, '"trainer_code": that is the Transform module\'s hash; the model '
                                           "was made by the Trainer's module")
    require(given == code, "\"trainer_code\": the 64 hexadecimal characters after '0.0+' in the module_path "
                           "property of the Trainer execution that made the model (not a cache hit's: the "
                           "same, but find the producer)")
    others = answer["same_data_models"]
    require(isinstance(others, (set, list, tuple)) and all(_int(m) for m in others),
            '"same_data_models": a set of model artifact ids')
    others = set(others)
    downstream = lineage.subgraph(store, [examples], lineage.Query.DOWNSTREAM)
    model_type = {t.id for t in downstream.artifact_types if t.name == "Model"}
    expected = {a.id for a in downstream.artifacts if a.type_id in model_type} - {model_id}
    require(model_id not in others, f'"same_data_models": leave model {model_id} itself out')
    missing, extra = expected - others, others - expected
    require(not missing, f'"same_data_models": {len(missing)} more model(s) were trained on examples '
                         f"{examples}; a Trainer reads Transform's output, not the raw examples: walk "
                         "DOWNSTREAM over more than one hop")
    require(not extra, f'"same_data_models": {sorted(extra)} were not trained on examples {examples}')
    return (f"the push is model {model_id}, made from examples {examples} (span {answer['span']}) through "
            f"schema {schema} with trainer code {code[:12]}…; {len(expected)} other model(s) share that "
            f"data: {sorted(expected)}")


@exercise_check("8.3", CHAPTER)
def check_08_models_to_retrain(models_to_retrain, store, examples_id: int):
    """8.3: a function (store, examples id) -> ids of every Model trained on those examples, tried on the
    course store and on a small store with a second span, a model only evaluated on the span, cache hits
    and a Resolver."""
    if models_to_retrain is None:
        return NOT_ATTEMPTED
    require(callable(models_to_retrain), "answer with a function models_to_retrain(store, examples_id)")
    fake, ids = metadata_fakes.course_store()
    trials = [
        ("the course store", store, examples_id, _reference(store, examples_id)),
        ("a test store, span 0", fake, ids["examples"], {ids["model"], ids["candidate"], ids["retrained"]}),
        ("a test store, span 2", fake, ids["examples_2"], {ids["other_model"]}),
    ]
    for name, trial_store, start, expected in trials:
        try:
            found = models_to_retrain(trial_store, start)
        except Exception as error:  # the student's code failed: say how, on which store
            require(False, f"on {name} your function raised {type(error).__name__}: {error}")
        require(found is not None and not isinstance(found, (str, bytes)),
                f"on {name} your function returned {found!r}: return the model ids (a set of ints)")
        found = set(found)
        kinds = {_type_of(trial_store, i) for i in found}
        other_kinds = sorted(map(str, kinds - {"Model"}))
        require(not other_kinds, f"on {name} you returned artifacts of type {other_kinds}: keep only the "
                                 "artifacts of type Model")
        missing, extra = expected - found, found - expected
        require(not missing, f"on {name} you missed model(s) {sorted(missing)}: a Trainer reads Transform's "
                             "output, not the raw examples, so the models are several hops downstream; walk "
                             "with get_lineage_subgraph(direction=DOWNSTREAM) or follow events repeatedly")
        evaluated_only = extra & _evaluated_on(trial_store, start)
        require(not evaluated_only,
                f"on {name} you listed model(s) {sorted(evaluated_only)}, which an Evaluator only "
                "*evaluated* on these examples: it was trained on another span. Walk DOWNSTREAM only; an "
                "execution's other inputs are not downstream of the span")
        require(not extra, f"on {name} you listed model(s) {sorted(extra)} that were not trained on examples "
                           f"{start}")
    return (f"on the course store, examples {examples_id} trained models {sorted(trials[0][3])}; your query "
            "also passes the test store's traps (a second span, a model only evaluated on the span)")


def _evaluated_on(store, examples_id: int) -> set[int]:
    """Models read as an input by an execution that also read these examples (an Evaluator's)."""
    readers = {e.execution_id for e in store.get_events_by_artifact_ids([examples_id])
               if e.type == metadata_store_pb2.Event.INPUT}
    return {e.artifact_id for e in store.get_events_by_execution_ids(list(readers))
            if e.type == metadata_store_pb2.Event.INPUT and e.artifact_id != examples_id}


def _reference(store, examples_id: int) -> set[int]:
    downstream = lineage.subgraph(store, [examples_id], lineage.Query.DOWNSTREAM)
    model_type = {t.id for t in downstream.artifact_types if t.name == "Model"}
    return {a.id for a in downstream.artifacts if a.type_id in model_type}

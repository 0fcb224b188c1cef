"""Checks for chapter 09 (the whole pipeline on real orchestrators).

Exercises 9.1 and 9.2 are judged on the pipeline object itself (``tfx.dsl.Pipeline``): its nodes and the
edges LocalDagRunner, Airflow and Kubeflow all take from the components' inputs. Section 2 of the chapter
checks the rule 9.2 applies on a real run (a changed Evaluator: Evaluator and Pusher ran, the rest was
cached). Exercise 9.3 reads the delivery :func:`refused_delivery` writes through :mod:`utils.own_data`,
the per-file check of ``make pipeline``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from utils import data
from utils.exercises.common import NOT_ATTEMPTED, exercise_check, require

CHAPTER = "09_pipeline_orchestration"
RESOLVER = "baseline_resolver"  # a Resolver runs on every run: it only looks up the store, and is cheap

# Exercise 9.3: the refused delivery and the causes to choose from.
DELIVERY_FILES = ("colony_a.csv", "colony_b.csv", "colony_c.csv")
BROKEN_FILE, BROKEN_COLUMN = "colony_c.csv", "flipper_length_mm"
CAUSES = {
    "a": "the column is missing from the file's header",
    "b": "the file has an island nobody has seen",
    "c": "the column was measured in another unit",
    "d": "the file uses ';' as its separator",
}
RIGHT_CAUSE = "c"

# Exercise 9.4: three teams, three orchestrators.
TEAMS = {
    "a": "two data scientists on laptops, often offline, who retrain the model by hand about once a month",
    "b": "a data team whose nightly ETL jobs already run on Apache Airflow, and who want retraining to start "
         "when the night's ETL has finished",
    "c": "a team on Google Cloud with no servers of its own, who want each component in its own container "
         "on a machine sized for it, and can build and publish a container image",
}
ORCHESTRATORS = {
    "local": "LocalDagRunner (make pipeline): one process on one machine",
    "airflow": "Apache Airflow (AirflowDagRunner): a DAG beside the team's other DAGs",
    "vertex": "Vertex AI Pipelines (KubeflowV2DagRunner): a compiled spec, one container per component",
}
RIGHT_TEAMS = {"a": "local", "b": "airflow", "c": "vertex"}
MIN_WORDS = 15


def refused_delivery(folder: str | Path) -> Path:
    """Write exercise 9.3's delivery: the shipped penguins in three files, the third one's flipper length in
    centimetres. Returns the folder (emptied first)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    penguins = pd.read_csv(data.dataset_file("penguins/clean"), dtype=str, keep_default_na=False)
    thirds = [penguins.iloc[i::3].copy() for i in range(3)]
    thirds[2][BROKEN_COLUMN] = [str(round(int(v) / 10)) if v else "" for v in thirds[2][BROKEN_COLUMN]]
    for name, part in zip(DELIVERY_FILES, thirds, strict=True):
        part.to_csv(folder / name, index=False)
    return folder


def _first(names: list) -> str:
    """The first of ``names`` for a hint ('' when empty: a hint is built before its condition is known)."""
    return names[0] if names else ""


def _node_ids(course) -> dict:
    return {node.id: node for node in course.components}


def _downstream(course, start: str) -> set[str]:
    nodes = _node_ids(course)
    found, todo = {start}, [start]
    while todo:
        for node in nodes[todo.pop()].downstream_nodes:
            if node.id not in found:
                found.add(node.id)
                todo.append(node.id)
    return found


def _as_ids(answer, nodes: dict, name: str) -> set[str]:
    require(isinstance(answer, (set, list, tuple)) and all(isinstance(a, str) for a in answer),
            f"{name}: answer with a set of node ids (strings), e.g. {{'CsvExampleGen', 'StatisticsGen'}}")
    unknown = sorted(set(answer) - set(nodes))
    require(not unknown, f"{name}: {unknown} is not a node of this pipeline; use the ids section 1 printed "
                         f"({', '.join(sorted(nodes))})")
    return set(answer)


@exercise_check("9.1", CHAPTER)
def check_09_starting_nodes(course, answer):
    """9.1: the nodes with no upstream node, where every run starts."""
    if answer is None:
        return NOT_ATTEMPTED
    nodes = _node_ids(course)
    expected = {node_id for node_id, node in nodes.items() if not node.upstream_nodes}
    chosen = _as_ids(answer, nodes, "9.1")
    extra = sorted(chosen - expected)
    if extra:
        require(False, f"{extra[0]} waits for {sorted(u.id for u in nodes[extra[0]].upstream_nodes)}: "
                       "it reads their outputs, so it is not a start")
    missing = sorted(expected - chosen)
    importers = [m for m in missing if m in ("ImportSchemaGen", "tuned_hyperparameters")]
    require(not importers, f"{_first(importers)} has no input channel either: an importer reads a file "
                           "named in the pipeline, not the output of another node")
    require(not missing, f"{missing} has no upstream node: look at the '<-' column of section 1")
    return (f"{', '.join(sorted(expected))}: they read files named in the pipeline (the data folder, the "
            "curated schema, the tuned hyperparameters); everything else waits for an output")


@exercise_check("9.2", CHAPTER)
def check_09_predict_reruns(course, answer):
    """9.2: which nodes run again (not answered by the cache) after each of two changes."""
    if answer is None:
        return NOT_ATTEMPTED
    require(isinstance(answer, dict) and set(answer) == {"transform_module", "new_file"},
            "answer with a dict {'transform_module': set of node ids, 'new_file': set of node ids}")
    nodes = _node_ids(course)
    changed = {"transform_module": "Transform", "new_file": "CsvExampleGen"}
    for key, start in changed.items():
        chosen = _as_ids(answer[key], nodes, key) - {RESOLVER}
        expected = _downstream(course, start) - {RESOLVER}
        require(start in chosen, f"{key}: the change is an input of {start} itself (its module file or its "
                                 "folder is part of its cache key), so it runs again")
        upstream = sorted(chosen - expected)
        for node_id in upstream:
            require(node_id not in ("ImportSchemaGen", "tuned_hyperparameters"),
                    f"{key}: {node_id} is an importer of a committed file; the change does not touch that "
                    "file, so the cache answers it")
        require(not upstream, f"{key}: {_first(upstream)} does not read anything {start} wrote, and its "
                              "own inputs and settings did not change: the cache answers it")
        missing = sorted(expected - chosen)
        require(not missing, f"{key}: {_first(missing)} reads an output of a node that runs again; a new run "
                             "writes a new artifact, a new input misses the cache, so it runs again too")
    return ("a node runs again when its own settings change or when any input is a new artifact; the rest "
            "comes from the cache. The resolver runs on every run anyway (section 2)")


@exercise_check("9.3", CHAPTER)
def check_09_diagnose_delivery(folder, answer):
    """9.3: the file, the column and the cause of a refused delivery, from ``make pipeline``'s message."""
    if answer is None:
        return NOT_ATTEMPTED
    require(isinstance(answer, dict) and set(answer) == {"file", "column", "cause"},
            "answer with a dict {'file': file name, 'column': column name, 'cause': a letter of CAUSES}")
    from utils import own_data  # imports TFDV: only when this check runs

    try:
        own_data.check_folder(folder)
        problems = []
    except own_data.OwnDataError as refused:
        problems = [line.strip()[2:] for line in str(refused).splitlines() if line.startswith("  - ")]
    named = {(p.split(": ")[0], p.split("'")[1]) for p in problems if "column '" in p}
    require(named, f"{folder} passed the check: write it again with exercises.ch09.refused_delivery")
    require(answer["file"] in {f for f, _ in named},
            f"{answer['file']!r} is not the file the message names first on each problem line "
            "('<file>: column ...')")
    require((answer["file"], answer["column"]) in named,
            f"the message names {answer['file']} with another column: read the text between 'column' and "
            "the problem")
    require(answer["cause"] in CAUSES, f"the cause is one letter of {sorted(CAUSES)}")
    require(answer["cause"] != "a", "a missing column would say 'missing: the header has no such column'")
    require(answer["cause"] != "b", "an island nobody has seen would be reported on 'island', as unexpected "
                                    "string values")
    require(answer["cause"] != "d", "a wrong separator is a form problem: the file would be refused before "
                                    "any column is read (utils/delivery.py)")
    return (f"{BROKEN_FILE}'s flipper lengths are about 19 (the smallest 17) where the schema's minimum is "
            "150: about 190 mm written as 19 cm. Convert them at the source, or take the file out of the "
            "folder")


@exercise_check("9.4", CHAPTER)
def check_09_choose_orchestrator(answer, why):
    """9.4: an orchestrator for each team of ``TEAMS`` and why."""
    if answer is None:
        return NOT_ATTEMPTED
    require(isinstance(answer, dict) and set(answer) == set(TEAMS),
            f"answer with a dict {{team letter: orchestrator}} for the teams {sorted(TEAMS)}")
    unknown = sorted(v for v in answer.values() if v not in ORCHESTRATORS)
    require(not unknown, f"{_first(unknown)!r} is not one of {sorted(ORCHESTRATORS)}")
    require(answer["a"] == "local", "team a is offline on laptops: Airflow needs a scheduler and a database "
                                    "somewhere, Vertex needs Google Cloud; one process on the laptop does it")
    require(answer["b"] == "airflow", "team b already runs Airflow: the pipeline as one more DAG can wait "
                                      "for the ETL DAG (a sensor or a dataset) and shows in the same UI")
    require(answer["c"] == "vertex", "team c has no servers: Vertex AI runs the compiled spec, one container "
                                     "per component, on machines it provides")
    require(isinstance(why, str) and len(why.split()) >= MIN_WORDS,
            f"say why in a sentence or two ({MIN_WORDS} words at least): what each team has that makes its "
            "choice the cheapest to run")
    return ("the pipeline module is the same for all three; what differs is who starts the runs, where the "
            "components run and where ML Metadata lives")

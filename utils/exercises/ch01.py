"""Checks for chapter 01 (ExampleGen)."""

from __future__ import annotations

import json

from utils import examples, metadata
from utils.exercises.common import NOT_ATTEMPTED, exercise_check, percent, require

CHAPTER = "01_example_gen"


def _run(context, component) -> None:
    require(hasattr(component, "outputs") and "examples" in component.outputs,
            f"expected an ExampleGen component, got {type(component).__name__}")
    try:
        context.run(component)
    except Exception as error:  # noqa: BLE001  (any failure of the student's component becomes the hint)
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        require(False, f"your component did not run: {first_line}")


@exercise_check("1.1", CHAPTER)
def check_01_three_way_split(context, example_gen, total: int = 344) -> str:
    """Exercise 1.1: train/eval/test in the ratio 8:1:1, by hash."""
    if example_gen is None:
        return NOT_ATTEMPTED
    _run(context, example_gen)
    counts = examples.split_counts(example_gen.outputs["examples"])
    require(list(counts) == ["train", "eval", "test"],
            f"the splits should be named train, eval, test (in that order); got {list(counts)}")
    require(sum(counts.values()) == total,
            f"the splits hold {sum(counts.values())} examples, the data set has {total}: "
            "did you point input_base at the clean penguins?")
    share = {name: n / total for name, n in counts.items()}
    require(0.7 <= share["train"] <= 0.9 and all(0.05 <= share[s] <= 0.15 for s in ("eval", "test")),
            f"expected about 80/10/10 %, got {percent(share)}: check hash_buckets")
    return f"Split sizes {counts} ({percent(share)})."


@exercise_check("1.2", CHAPTER)
def check_01_pin_span(context, example_gen, span: int = 1, rows: int = 224) -> str:
    """Exercise 1.2: ingest span 1 although span 2 has arrived since."""
    if example_gen is None:
        return NOT_ATTEMPTED
    _run(context, example_gen)
    recorded = metadata.stored(context.store(), example_gen.outputs["examples"])
    require(recorded.get("span") == span,
            f"ExampleGen ingested span {recorded.get('span')}; pin span {span} with a "
            "RangeConfig whose StaticRange starts and ends at that span")
    counts = examples.split_counts(example_gen.outputs["examples"])
    require(sum(counts.values()) == rows,
            f"span {span} has {rows} rows, your artifact holds {sum(counts.values())}")
    return f"Span {span}, version {recorded.get('version')}, {rows} examples."


def _partition_feature(component) -> str:
    """The partition_feature_name of an ExampleGen's output_config ('' when it hashes whole examples)."""
    output_config = getattr(component, "exec_properties", {}).get("output_config") or "{}"
    if not isinstance(output_config, str):
        return output_config.split_config.partition_feature_name
    return json.loads(output_config).get("split_config", {}).get("partition_feature_name", "")


@exercise_check("1.3", CHAPTER)
def check_01_season_split(context, example_gen, train_rows: int = 224, eval_season: int = 2009,
                          versions_of_eval: tuple[int, int] = (120, 117)) -> str:
    """Exercise 1.3: train on the 2007 and 2008 seasons, evaluate on the corrected 2009 season (version 2).

    ``versions_of_eval``: the rows of version 1 and version 2 of the eval season."""
    eval_rows = versions_of_eval[1]
    if example_gen is None:
        return NOT_ATTEMPTED
    _run(context, example_gen)
    output = example_gen.outputs["examples"]
    splits = list(examples.split_counts(output))
    require(splits == ["train", "eval"], f"the splits should be named train and eval; got {splits}")
    partition = _partition_feature(example_gen)
    require(not partition,
            f"partition_feature_name='{partition}' keeps each season in one split, but the hash of the "
            "value decides which: with 2:1 buckets 2007 goes to train and 2008 and 2009 to eval, with 4:1 "
            "every season goes to train. Choose the files of each split yourself: an input_config with one "
            "tfx.proto.Input.Split per split, each with its own pattern")
    years = {split: examples.to_dataframe(output, split)["year"] for split in splits}
    shared = sorted(set(years["train"]) & set(years["eval"]))
    require(not shared,
            f"train and eval both hold penguins of {shared}: a hash split mixes the seasons. Read each split "
            "from its own files, with an input_config of one Input.Split per split")
    eval_years = sorted(set(years["eval"]))
    require(eval_years == [eval_season],
            f"eval holds the seasons {eval_years}; it must hold {eval_season} only (span 2)")
    require(len(years["train"]) == train_rows and set(years["train"]) == {eval_season - 2, eval_season - 1},
            f"train holds {len(years['train'])} penguins of {sorted(set(years['train']))}; it should hold "
            f"all {train_rows} of {eval_season - 2} and {eval_season - 1} (span 1)")
    n_eval = len(years["eval"])
    require(n_eval != versions_of_eval[0],
            f"eval holds {n_eval} penguins: that is version 1 of {eval_season}. The corrected delivery is "
            "version 2 (folder span-2/ver-2)")
    require(n_eval != sum(versions_of_eval),
            f"eval holds {n_eval} penguins: both versions of {eval_season}, so the corrected birds count "
            "twice. Match version 2's folder only")
    require(n_eval == eval_rows, f"eval holds {n_eval} penguins; version 2 of {eval_season} has {eval_rows}")
    return (f"train: {train_rows} penguins of {eval_season - 2}-{eval_season - 1}; eval: {eval_rows} of "
            f"{eval_season} (version 2), and no season in both.")

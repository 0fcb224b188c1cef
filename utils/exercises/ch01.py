"""Checks for chapter 01 (ExampleGen)."""

from __future__ import annotations

import json

from google.protobuf import json_format

from utils import examples, metadata
from utils.exercises.common import NOT_ATTEMPTED, exercise_check, percent, require

CHAPTER = "01_example_gen"


def _run(context, component, component_id: str) -> None:
    """Run the student's ExampleGen, once it is one and carries the id the exercise asks for."""
    _require_example_gen(component, component_id)
    try:
        context.run(component)
    except Exception as error:  # noqa: BLE001  (any failure of the student's component becomes the hint)
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        require(False, f"your component did not run: {first_line}")


def _require_example_gen(component, component_id: str) -> None:
    require(hasattr(component, "outputs") and "examples" in component.outputs,
            f"expected an ExampleGen component, got {type(component).__name__}")
    given = getattr(component, "id", None)
    require(given == component_id,
            f"the exercise asks for the id '{component_id}', your component's id is '{given}': end the "
            f'declaration with .with_id("{component_id}")')


def _split_config(component) -> dict:
    """The split_config of an ExampleGen's output_config, as a dict ({} when there is none)."""
    output_config = getattr(component, "exec_properties", {}).get("output_config") or "{}"
    if not isinstance(output_config, str):
        output_config = json_format.MessageToJson(output_config, preserving_proto_field_name=True)
    return json.loads(output_config).get("split_config", {})


def _hash_buckets(component) -> dict[str, int]:
    """split name -> hash buckets, in the order of the output_config."""
    return {split.get("name", ""): int(split.get("hash_buckets", 0))
            for split in _split_config(component).get("splits", [])}


@exercise_check("1.1", CHAPTER)
def check_01_three_way_split(context, example_gen, total: int = 344) -> str:
    """Exercise 1.1: train/eval/test in the ratio 8:1:1, by hash (any bucket counts in that ratio)."""
    if example_gen is None:
        return NOT_ATTEMPTED
    _require_example_gen(example_gen, "three_way_split")
    buckets = _hash_buckets(example_gen)
    require(list(buckets) == ["train", "eval", "test"],
            "the splits should be named train, eval, test (in that order); your output_config has "
            f"{list(buckets)}")
    train, eval_, test = buckets.values()
    shares = percent({name: n / max(sum(buckets.values()), 1) for name, n in buckets.items()})
    require(eval_ > 0 and train == 8 * eval_ and test == eval_,
            f"your hash_buckets {train} : {eval_} : {test} give {shares}. A split's share is its share of "
            "all the buckets: for 8 : 1 : 1 train needs 8 times the buckets of eval, and test as many as "
            "eval (8, 1, 1 or 80, 10, 10)")
    require(not _split_config(example_gen).get("partition_feature_name"),
            "hash whole examples: leave partition_feature_name out, the ratio is about examples")
    _run(context, example_gen, "three_way_split")
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
    _run(context, example_gen, "span_one")
    recorded = metadata.stored(context.store(), example_gen.outputs["examples"])
    require(recorded.get("span") == span,
            f"ExampleGen ingested span {recorded.get('span')}; pin span {span} with a "
            "RangeConfig whose StaticRange starts and ends at that span")
    counts = examples.split_counts(example_gen.outputs["examples"])
    require(sum(counts.values()) == rows,
            f"span {span} has {rows} rows, your artifact holds {sum(counts.values())}")
    return f"Span {span}, version {recorded.get('version')}, {rows} examples."


@exercise_check("1.3", CHAPTER)
def check_01_season_split(context, example_gen, train_rows: int = 224, eval_season: int = 2009,
                          versions_of_eval: tuple[int, int] = (120, 117)) -> str:
    """Exercise 1.3: train on the 2007 and 2008 seasons, evaluate on the corrected 2009 season (version 2).

    ``versions_of_eval``: the rows of version 1 and version 2 of the eval season."""
    eval_rows = versions_of_eval[1]
    if example_gen is None:
        return NOT_ATTEMPTED
    _run(context, example_gen, "by_season")
    output = example_gen.outputs["examples"]
    splits = list(examples.split_counts(output))
    require(splits == ["train", "eval"], f"the splits should be named train and eval; got {splits}")
    partition = _split_config(example_gen).get("partition_feature_name", "")
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

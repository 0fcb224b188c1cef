"""Checks for chapter 01 (ExampleGen)."""

from __future__ import annotations

from utils import examples, metadata
from utils.exercises.common import NOT_ATTEMPTED, exercise_check, percent, require

CHAPTER = "01_example_gen"


def _run(context, component) -> None:
    require(hasattr(component, "outputs") and "examples" in component.outputs,
            f"expected an ExampleGen component, got {type(component).__name__}")
    context.run(component)


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


"""Checks for chapter 01 (ExampleGen)."""

from __future__ import annotations

from utils import examples, metadata
from utils.exercises.common import not_attempted, percent, require


def _run(context, component, number: str) -> None:
    require(hasattr(component, "outputs") and "examples" in component.outputs, number,
            f"expected an ExampleGen component, got {type(component).__name__}")
    context.run(component)


def check_01_three_way_split(context, example_gen, total: int = 344) -> bool:
    """Exercise 1.1: train/eval/test in the ratio 8:1:1, by hash."""
    if example_gen is None:
        return not_attempted("1.1", "01_example_gen")
    _run(context, example_gen, "1.1")
    counts = examples.split_counts(example_gen.outputs["examples"])
    require(list(counts) == ["train", "eval", "test"], "1.1",
            f"the splits should be named train, eval, test (in that order); got {list(counts)}")
    require(sum(counts.values()) == total, "1.1",
            f"the splits hold {sum(counts.values())} examples, the data set has {total}: "
            "did you point input_base at the clean penguins?")
    share = {name: n / total for name, n in counts.items()}
    require(0.7 <= share["train"] <= 0.9 and all(0.05 <= share[s] <= 0.15 for s in ("eval", "test")),
            "1.1", f"expected about 80/10/10 %, got {percent(share)}: check hash_buckets")
    print(f"Exercise 1.1: correct. Split sizes {counts} ({percent(share)}).")
    return True


def check_01_pin_span(context, example_gen, span: int = 1, rows: int = 224) -> bool:
    """Exercise 1.2: ingest span 1 although span 2 has arrived since."""
    if example_gen is None:
        return not_attempted("1.2", "01_example_gen")
    _run(context, example_gen, "1.2")
    recorded = metadata.stored(context.store(), example_gen.outputs["examples"])
    require(recorded.get("span") == span, "1.2",
            f"ExampleGen ingested span {recorded.get('span')}; pin span {span} with a "
            "RangeConfig whose StaticRange starts and ends at that span")
    counts = examples.split_counts(example_gen.outputs["examples"])
    require(sum(counts.values()) == rows, "1.2",
            f"span {span} has {rows} rows, your artifact holds {sum(counts.values())}")
    print(f"Exercise 1.2: correct. Span {span}, version {recorded.get('version')}, "
          f"{rows} examples.")
    return True


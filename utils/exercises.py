"""Checks for the notebooks' exercises.

Each check takes the student's answer. ``None`` means "not attempted yet": the check says where the
solution is and lets the notebook go on. A wrong answer raises :class:`ExerciseError` with a hint; a right
one prints a confirmation and returns True. The solutions notebooks call the same checks.
"""

from __future__ import annotations

from utils import examples, metadata

SOLUTIONS = "notebooks/solutions/{chapter}_solutions.ipynb"


class ExerciseError(AssertionError):
    """The answer to an exercise is not right yet."""


def _not_attempted(number: str, chapter: str) -> bool:
    print(f"Exercise {number}: not attempted yet. Replace the None above with your answer "
          f"and run the cell again (solution: {SOLUTIONS.format(chapter=chapter)}).")
    return False


def _require(condition: bool, number: str, message: str) -> None:
    if not condition:
        raise ExerciseError(f"Exercise {number}: {message}")


def _run(context, component, number: str) -> None:
    _require(hasattr(component, "outputs") and "examples" in component.outputs, number,
             f"expected an ExampleGen component, got {type(component).__name__}")
    context.run(component)


# --- chapter 01 -------------------------------------------------------------------------------

def check_01_three_way_split(context, example_gen, total: int = 344) -> bool:
    """Exercise 1.1: train/eval/test in the ratio 8:1:1, by hash."""
    if example_gen is None:
        return _not_attempted("1.1", "01_example_gen")
    _run(context, example_gen, "1.1")
    counts = examples.split_counts(example_gen.outputs["examples"])
    _require(list(counts) == ["train", "eval", "test"], "1.1",
             f"the splits should be named train, eval, test (in that order); got {list(counts)}")
    _require(sum(counts.values()) == total, "1.1",
             f"the splits hold {sum(counts.values())} examples, the data set has {total}: "
             "did you point input_base at the clean penguins?")
    share = {name: n / total for name, n in counts.items()}
    _require(0.7 <= share["train"] <= 0.9 and all(0.05 <= share[s] <= 0.15 for s in ("eval", "test")),
             "1.1", f"expected about 80/10/10 %, got {_percent(share)}: check hash_buckets")
    print(f"Exercise 1.1: correct. Split sizes {counts} ({_percent(share)}).")
    return True


def check_01_pin_span(context, example_gen, span: int = 1, rows: int = 224) -> bool:
    """Exercise 1.2: ingest span 1 although span 2 has arrived since."""
    if example_gen is None:
        return _not_attempted("1.2", "01_example_gen")
    _run(context, example_gen, "1.2")
    recorded = metadata.stored(context.store(), example_gen.outputs["examples"])
    _require(recorded.get("span") == span, "1.2",
             f"ExampleGen ingested span {recorded.get('span')}; pin span {span} with a "
             "RangeConfig whose StaticRange starts and ends at that span")
    counts = examples.split_counts(example_gen.outputs["examples"])
    _require(sum(counts.values()) == rows, "1.2",
             f"span {span} has {rows} rows, your artifact holds {sum(counts.values())}")
    print(f"Exercise 1.2: correct. Span {span}, version {recorded.get('version')}, "
          f"{rows} examples.")
    return True


def _percent(share: dict[str, float]) -> str:
    return ", ".join(f"{name} {100 * value:.0f} %" for name, value in share.items())

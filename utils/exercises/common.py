"""What every exercise check shares: the "not attempted" message, the error with a hint."""

from __future__ import annotations

SOLUTIONS = "notebooks/solutions/{chapter}_solutions.ipynb"


class ExerciseError(AssertionError):
    """The answer to an exercise is not right yet."""


def not_attempted(number: str, chapter: str) -> bool:
    print(f"Exercise {number}: not attempted yet. Replace the None above with your answer "
          f"and run the cell again (solution: {SOLUTIONS.format(chapter=chapter)}).")
    return False


def require(condition: bool, number: str, message: str) -> None:
    if not condition:
        raise ExerciseError(f"Exercise {number}: {message}")


def percent(share: dict[str, float]) -> str:
    return ", ".join(f"{name} {100 * value:.0f} %" for name, value in share.items())

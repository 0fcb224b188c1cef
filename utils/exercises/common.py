"""What every exercise check shares: the one line it prints, the verdict it returns, a wrong answer's hint.

A check prints exactly one line (not attempted yet, correct, or not right yet with a hint) and returns a
:class:`Verdict`, which is true only for a correct answer (the solutions notebooks ``assert`` it) and shows
nothing in a notebook: a student never sees a bare ``False`` under "not attempted yet".
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path

SOLUTIONS = "notebooks/solutions/{chapter}_solutions.ipynb"
NOT_ATTEMPTED, CORRECT, WRONG = "not attempted yet", "correct", "not right yet"


class ExerciseError(AssertionError):
    """The answer to an exercise is not right yet (raised inside a check, turned into a verdict by it)."""


class Verdict:
    """What a check decided. ``bool(verdict)`` is True for a correct answer only."""

    def __init__(self, number: str, status: str, message: str):
        self.number, self.status, self.message = number, status, message

    def __bool__(self) -> bool:
        return self.status == CORRECT

    def __repr__(self) -> str:
        return f"Verdict(exercise {self.number}: {self.status})"

    def _ipython_display_(self) -> None:
        """Nothing to show: the check has printed its line already."""


def exercise_check(number: str, chapter: str):
    """Turn a check into one printed line and a :class:`Verdict`. The check returns :data:`NOT_ATTEMPTED`
    when the answer is ``None``, raises :class:`ExerciseError` (via :func:`require`) with the hint for a
    wrong answer, and otherwise returns the rest of its "correct" line."""

    def decorate(fn):
        @functools.wraps(fn)
        def check(*args, **kwargs) -> Verdict:
            try:
                result = fn(*args, **kwargs)
            except ExerciseError as wrong:
                return _say(Verdict(number, WRONG, str(wrong)))
            if result is NOT_ATTEMPTED:
                return _say(Verdict(number, NOT_ATTEMPTED,
                                    "replace the None above with your answer and run the cell again "
                                    f"(solution: {SOLUTIONS.format(chapter=chapter)})"))
            return _say(Verdict(number, CORRECT, result))

        return check

    return decorate


def _say(verdict: Verdict) -> Verdict:
    message = verdict.message[:1].upper() + verdict.message[1:]
    print(f"Exercise {verdict.number}: {verdict.status}. {message}")
    return verdict


def require(condition: bool, message: str) -> None:
    """Stop the check with ``message`` (the hint) unless ``condition`` holds."""
    if not condition:
        raise ExerciseError(message)


def percent(share: dict[str, float]) -> str:
    return ", ".join(f"{name} {100 * value:.0f} %" for name, value in share.items())


def load_student_module(module_file, chapter: str, required: dict[str, str]):
    """The student's module file (written with %%writefile) as a fresh Python module: a name from its
    content, so an edit is picked up at the next call. ``required``: function name -> the hint when the
    file does not define it."""
    path = Path(module_file)
    require(path.suffix == ".py" and path.is_file(), f"{path} is not a Python file: write it first "
            "(run the %%writefile cell above)")
    name = f"exercise_{chapter}_" + hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # the student's file does not import
        raise ExerciseError(f"your module file does not load: {type(error).__name__}: {error}") from error
    for function, hint in required.items():
        require(callable(getattr(module, function, None)), hint)
    return module

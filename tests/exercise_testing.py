"""Shared by the exercise-check tests: what a wrong or unattempted answer must get back."""

import re

from utils.exercises import common


def assert_wrong(verdict, hint: str) -> None:
    """The check said "not right yet", with ``hint`` (a regex) in its message, and its verdict is false."""
    assert isinstance(verdict, common.Verdict) and not verdict, verdict
    assert verdict.status == common.WRONG, verdict
    assert re.search(hint, verdict.message), f"hint {hint!r} not in {verdict.message!r}"


def assert_not_attempted(verdict) -> None:
    assert isinstance(verdict, common.Verdict) and not verdict and verdict.status == common.NOT_ATTEMPTED

"""Checks for the notebooks' exercises, one module per chapter, all reachable as ``exercises.check_NN_...``.

Each check takes the student's answer. ``None`` means "not attempted yet": the check says where the
solution is and lets the notebook go on. A wrong answer raises :class:`ExerciseError` with a hint; a right
one prints a confirmation and returns True. The solutions notebooks call the same checks.
"""

from utils.exercises.ch01 import check_01_pin_span, check_01_three_way_split
from utils.exercises.ch02 import check_02_accept_new_island, check_02_heavier_than_6500
from utils.exercises.ch03 import check_03_bill_ratio, check_03_gentoo_index
from utils.exercises.common import ExerciseError

__all__ = [
    "ExerciseError",
    "check_01_pin_span",
    "check_01_three_way_split",
    "check_02_accept_new_island",
    "check_02_heavier_than_6500",
    "check_03_bill_ratio",
    "check_03_gentoo_index",
]

"""Checks for the notebooks' exercises, one module per chapter, all reachable as ``exercises.check_NN_...``.

Each check takes the student's answer and prints one line: ``None`` means "not attempted yet" (the line says
where the solution is, and the notebook goes on); a wrong answer gets "not right yet" with a targeted hint;
a right one "correct" with what it found. It returns a :class:`Verdict`, true only for a correct answer and
invisible in a notebook. The solutions notebooks ``assert`` the same checks.
"""

from utils.exercises.ch00 import (
    TOOLING_SITUATIONS,
    check_00_incident,
    check_00_tflite_species,
    check_00_tooling,
    monday_database,
)
from utils.exercises.ch01 import check_01_pin_span, check_01_season_split, check_01_three_way_split
from utils.exercises.ch02 import (
    DELIVERY_CAUSES,
    check_02_accept_new_island,
    check_02_diagnose_deliveries,
    check_02_heavier_than_6500,
)
from utils.exercises.ch03 import (
    check_03_bill_ratio,
    check_03_gentoo_index,
    check_03_vocabulary,
)
from utils.exercises.ch04 import check_04_field_penguin, check_04_my_export, check_04_read_trials
from utils.exercises.ch05 import (
    check_05_diagnose_dream,
    check_05_reject_candidate,
    check_05_without_sex,
)
from utils.exercises.ch06 import (
    check_06_diagnose_failures,
    check_06_read_pushes,
    check_06_rollback,
)
from utils.exercises.ch07 import (
    check_07_choose_calls,
    check_07_rest_request,
    check_07_safety_net,
)
from utils.exercises.ch08 import check_08_incident, check_08_models_to_retrain, check_08_trainer_schema
from utils.exercises.ch09 import (
    check_09_choose_orchestrator,
    check_09_diagnose_delivery,
    check_09_predict_reruns,
    check_09_starting_nodes,
)
from utils.exercises.ch10 import check_10_abstention, check_10_body_mass_skew, check_10_incidents
from utils.exercises.common import ExerciseError, Verdict

__all__ = [
    "DELIVERY_CAUSES",
    "TOOLING_SITUATIONS",
    "ExerciseError",
    "Verdict",
    "check_00_incident",
    "check_00_tflite_species",
    "check_00_tooling",
    "check_01_pin_span",
    "check_01_season_split",
    "check_01_three_way_split",
    "check_02_accept_new_island",
    "check_02_diagnose_deliveries",
    "check_02_heavier_than_6500",
    "check_03_bill_ratio",
    "check_03_gentoo_index",
    "check_03_vocabulary",
    "check_04_field_penguin",
    "check_04_my_export",
    "check_04_read_trials",
    "check_05_diagnose_dream",
    "check_05_reject_candidate",
    "check_05_without_sex",
    "check_06_diagnose_failures",
    "check_06_read_pushes",
    "check_06_rollback",
    "check_07_choose_calls",
    "check_07_rest_request",
    "check_07_safety_net",
    "check_08_incident",
    "check_08_models_to_retrain",
    "check_08_trainer_schema",
    "check_09_choose_orchestrator",
    "check_09_diagnose_delivery",
    "check_09_predict_reruns",
    "check_09_starting_nodes",
    "check_10_abstention",
    "check_10_body_mass_skew",
    "check_10_incidents",
    "monday_database",
]

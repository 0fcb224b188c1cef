"""Chapter 10's checks: right answers pass, typical wrong ones fail with their hint, None waits. The skew
result and the coverage table are written by hand with the shape TFDV and utils.risk.abstain give them."""

import pandas as pd
from tensorflow_metadata.proto.v0 import anomalies_pb2

from tests.exercise_testing import assert_not_attempted, assert_wrong
from utils import exercises


def skew_result():
    result = anomalies_pb2.Anomalies()
    for name, value, threshold in (("body_mass_g", 0.272, 0.2), ("island", 0.364, 0.25)):
        info = result.drift_skew_info.add()
        info.path.step.append(name)
        measurement = info.skew_measurements.add()
        measurement.value, measurement.threshold = value, threshold
    return result


CURVE = pd.DataFrame({"threshold": [0.0, 0.5, 0.9, 0.99], "coverage": [1.0, 0.97, 0.9, 0.7],
                      "error": [0.06, 0.04, 0.015, 0.0], "wrong_answered": [12, 8, 3, 0],
                      "answered": [199, 193, 179, 139]}).set_index("threshold")
REASON = "At 0.9 the error among answered is 1.5 %, within the budget, and 90 % of requests get an answer."


def test_none_means_not_attempted(capsys):
    assert_not_attempted(exercises.check_10_body_mass_skew(skew_result(), None))
    assert_not_attempted(exercises.check_10_abstention(CURVE, None, ""))
    assert_not_attempted(exercises.check_10_incidents(None))
    assert capsys.readouterr().out.count("not attempted yet") == 3


def test_10_1_the_body_mass_measurement_and_its_threshold():
    assert exercises.check_10_body_mass_skew(skew_result(), {"divergence": 0.272, "threshold": 0.2})
    assert_wrong(exercises.check_10_body_mass_skew(skew_result(), {"divergence": 0.364, "threshold": 0.2}),
                 "island's measurement")
    assert_wrong(exercises.check_10_body_mass_skew(skew_result(), {"divergence": 0.272, "threshold": 0.25}),
                 "skew_comparator")
    assert_wrong(exercises.check_10_body_mass_skew(skew_result(), {"divergence": 0.2, "threshold": 0.2}),
                 "two different numbers")
    assert_wrong(exercises.check_10_body_mass_skew(skew_result(), 0.272), "a dict")


def test_10_2_the_threshold_for_the_budget():
    assert exercises.check_10_abstention(CURVE, 0.9, REASON, budget=0.02)
    assert_wrong(exercises.check_10_abstention(CURVE, 0.5, REASON, budget=0.02), "above the 2% budget")
    assert_wrong(exercises.check_10_abstention(CURVE, 0.99, REASON, budget=0.02), "answers more")
    assert_wrong(exercises.check_10_abstention(CURVE, 0.85, REASON, budget=0.02), "measured thresholds")
    assert_wrong(exercises.check_10_abstention(CURVE, 0.9, "looks good", budget=0.02), "with the numbers")


def test_10_3_each_incident_its_risk_and_check():
    right = {1: ("misuse", "request_validation"), 2: ("bias", "slice_floor"), 3: ("extraction", "rate_limit")}
    assert exercises.check_10_incidents(right)
    assert exercises.check_10_incidents({**right, 1: ("bugs", "request_validation")}), "a client's bug too"
    assert_wrong(exercises.check_10_incidents({**right, 1: ("bugs", "unit_test")}), "incident 1: 3.7 g")
    assert_wrong(exercises.check_10_incidents({**right, 2: ("bias", "data_gate")}), "Evaluator setting")
    assert_wrong(exercises.check_10_incidents({**right, 3: ("adversarial", "robustness_test")}),
                 "copied its logic")
    assert_wrong(exercises.check_10_incidents({**right, 3: ("theft", "rate_limit")}), "not one of the risks")
    assert_wrong(exercises.check_10_incidents({1: right[1]}), "one entry per incident")

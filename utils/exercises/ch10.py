"""Checks for chapter 10 (model risk evaluation).

10.1 reads a TFDV skew result; 10.2 judges an abstention threshold against the measured coverage–error
table and an error budget; 10.3 maps incidents to the risk and the check that should have caught them.
"""

from __future__ import annotations

import math

from utils.exercises.common import NOT_ATTEMPTED, exercise_check, require

CHAPTER = "10_model_risk"
MIN_WORDS = 12  # a justification names the numbers it rests on, in a sentence or two

RISKS = ("bugs", "low_quality_data", "production_skew", "misuse", "adversarial", "bias", "extraction")
CHECKS = {
    "unit_test": "a unit test of the module files, run before the pipeline",
    "data_gate": "ExampleValidator + DataGate on the training delivery, before Transform",
    "request_log_skew": "request logging + TFDV skew/drift comparators against the training statistics",
    "request_validation": "validating each request against the schema at serving time",
    "slice_floor": "a per-slice threshold (group floor) in the Evaluator",
    "rate_limit": "client authentication, rate limits and per-client volume in the request log",
    "robustness_test": "an adversarial robustness test before release",
}
INCIDENTS = {
    1: "A field team's new tablet app sends body mass in kilograms (3.7 instead of 3700). The model answers "
       "every request; the answers are mostly Adelie.",
    2: "A new model is 97 % accurate overall, but wrong for a third of the penguins on Dream; it was "
       "pushed, and the Dream researchers noticed a month later.",
    3: "One client sent 40 000 requests in a night, every measurement uniformly random; a week later a "
       "competitor offers a classifier that answers exactly like yours.",
}
# Incident 1 is a client's bug as much as misuse: either name is right; the check is what matters.
ANSWERS = {1: {("misuse", "request_validation"), ("bugs", "request_validation")},
           2: {("bias", "slice_floor")}, 3: {("extraction", "rate_limit")}}
HINTS = {
    1: "3.7 g is far below the schema's body_mass_g domain [2000, 8000]: which check reads the schema for "
       "each request, before the model answers?",
    2: "the overall number hid one island: which Evaluator setting judges every island on its own?",
    3: "nothing was wrong with the data or the model: someone copied its logic by querying it; what limits "
       "and watches one client's queries?",
}


@exercise_check("10.1", CHAPTER)
def check_10_body_mass_skew(skew_anomalies, answer):
    """10.1: the body_mass_g skew measurement (Jensen-Shannon divergence) and its threshold."""
    if answer is None:
        return NOT_ATTEMPTED
    require(isinstance(answer, dict) and set(answer) == {"divergence", "threshold"},
            'answer with a dict {"divergence": float, "threshold": float}')
    measured = {info.path.step[0]: info.skew_measurements[0] for info in skew_anomalies.drift_skew_info}
    body_mass = measured["body_mass_g"]
    island = measured.get("island")
    divergence, threshold = answer["divergence"], answer["threshold"]
    require(all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (divergence, threshold)),
            "both values are numbers (floats)")
    if island is not None:
        require(not math.isclose(divergence, island.value, abs_tol=1e-3),
                f"{divergence:.3f} is island's measurement (an L-infinity distance); read "
                "body_mass_g's entry of skew_check.drift_skew_info")
    require(not math.isclose(divergence, threshold, abs_tol=1e-6), "the divergence and the threshold are "
            "two different numbers: skew_measurements[0] has a value and a threshold")
    require(math.isclose(threshold, body_mass.threshold, abs_tol=1e-6),
            "the threshold is the one the curated schema sets for body_mass_g's skew_comparator "
            "(skew_measurements[0].threshold)")
    require(math.isclose(divergence, body_mass.value, abs_tol=1e-3),
            "read skew_measurements[0].value of the body_mass_g entry in skew_check.drift_skew_info")
    return (f"Jensen-Shannon divergence {body_mass.value:.3f} against {body_mass.threshold:g}: the scale's "
            "15 % moved the distribution past the bound, though every value stayed inside the schema's "
            "domain")


@exercise_check("10.2", CHAPTER)
def check_10_abstention(curve, threshold, reason: str, budget: float = 0.02):
    """10.2: the threshold with the most coverage whose error among the answered is within the budget."""
    if threshold is None:
        return NOT_ATTEMPTED
    require(isinstance(threshold, (int, float)) and not isinstance(threshold, bool),
            "answer with a number: one of the thresholds in the table's index")
    require(any(math.isclose(threshold, t) for t in curve.index),
            f"choose one of the measured thresholds {list(curve.index)}: the table is what justifies it")
    row = curve.loc[[t for t in curve.index if math.isclose(threshold, t)][0]]
    within = curve[curve["error"] <= budget]
    require(len(within) > 0, "no measured threshold meets this budget")
    best = within["coverage"].max()
    require(row["error"] <= budget, f"at {threshold:g} the error among answered is {row['error']:.1%}, above "
                                    f"the {budget:.0%} budget: go higher")
    require(math.isclose(row["coverage"], best), f"{threshold:g} meets the budget but answers only "
            f"{row['coverage']:.0%}; a lower threshold meets it too and answers more")
    words = len(str(reason).split())
    require(words >= MIN_WORDS and any(c.isdigit() for c in str(reason)),
            "justify with the numbers: the error and the coverage at your threshold, in a sentence or two")
    return (f"{threshold:g}: error {row['error']:.1%} within {budget:.0%}, {row['coverage']:.0%} of requests "
            f"answered; the other {1 - row['coverage']:.0%} go to a person")


@exercise_check("10.3", CHAPTER)
def check_10_incidents(answer):
    """10.3: for each incident, (risk, check that should have caught it)."""
    if answer is None:
        return NOT_ATTEMPTED
    require(isinstance(answer, dict) and set(answer) == set(INCIDENTS),
            f"answer with a dict with one entry per incident: {sorted(INCIDENTS)}")
    for number in sorted(INCIDENTS):
        pair = answer[number]
        require(isinstance(pair, tuple) and len(pair) == 2, f"incident {number}: a pair (risk, check)")
        risk, check = pair
        require(risk in RISKS, f"incident {number}: {risk!r} is not one of the risks {RISKS}")
        require(check in CHECKS, f"incident {number}: {check!r} is not one of the checks {sorted(CHECKS)}")
        require((risk, check) in ANSWERS[number], f"incident {number}: {HINTS[number]}")
    return ("kilograms: misuse (or a client's bug), refused by request validation; Dream: bias, a group "
            "floor in the Evaluator; "
            "the copy: extraction, rate limits and the request log")

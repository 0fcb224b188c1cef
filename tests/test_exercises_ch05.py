"""Chapter 05's checks: right answers pass, typical wrong ones fail with their hint, None waits. They read
evaluations written by hand with the chapter's measured numbers (tests/evaluation_testing.py)."""

import tensorflow_model_analysis as tfma

from tests.exercise_testing import assert_not_attempted, assert_wrong
from utils import exercises

JUSTIFIED = ("On Dream the candidate finds only half of the 29 Chinstraps, the course model all of them; "
             "a recall floor of 0.8 for Chinstrap there lets a few mistakes pass and stops a model that "
             "cannot tell them from Adelies.")


def recall_floor(bound=0.8, slicing=None, class_ids=(1,), metric="Recall", change=False, binarize=True):
    slicing = slicing if slicing is not None else tfma.SlicingSpec(feature_values={"island": "Dream"})
    threshold = tfma.MetricThreshold(value_threshold=tfma.GenericValueThreshold(lower_bound={"value": bound}))
    if change:
        threshold = tfma.MetricThreshold(change_threshold=tfma.GenericChangeThreshold(
            direction=tfma.MetricDirection.HIGHER_IS_BETTER, absolute={"value": -0.1}))
    spec = tfma.MetricsSpec(metrics=[tfma.MetricConfig(class_name=metric, per_slice_thresholds=[
        tfma.PerSliceMetricThreshold(slicing_specs=[slicing], threshold=threshold)])])
    if binarize:
        spec.binarize.class_ids.values.extend(class_ids)
    return spec


def test_none_means_not_attempted(capsys, course, candidate):
    assert_not_attempted(exercises.check_05_without_sex(course, None))
    assert_not_attempted(exercises.check_05_diagnose_dream(candidate, None))
    assert_not_attempted(exercises.check_05_reject_candidate(None, "", candidate, course))
    assert capsys.readouterr().out.count("not attempted yet") == 3


def test_5_1_right_and_wrong_counts(course):
    assert exercises.check_05_without_sex(course, 4)
    assert_wrong(exercises.check_05_without_sex(course, 140), "Overall slice")
    assert_wrong(exercises.check_05_without_sex(course, 136), "the question is how many are in none")
    assert_wrong(exercises.check_05_without_sex(course, 0), "take the difference")
    assert_wrong(exercises.check_05_without_sex(course, "4"), "an int")


def test_5_2_the_diagnosis_and_the_action(candidate):
    right = {"missed": "Chinstrap", "taken_for": "Adelie", "action": "c"}
    assert exercises.check_05_diagnose_dream(candidate, right)
    assert_wrong(exercises.check_05_diagnose_dream(candidate, dict(right, missed="Adelie")), "lowest recall")
    assert_wrong(exercises.check_05_diagnose_dream(candidate, dict(right, taken_for="Chinstrap")),
                 "lowest precision")
    assert_wrong(exercises.check_05_diagnose_dream(candidate, dict(right, missed="Gentoo")),
                 "no Gentoo lives")
    assert_wrong(exercises.check_05_diagnose_dream(candidate, dict(right, action="a")), "protects nobody")
    assert_wrong(exercises.check_05_diagnose_dream(candidate, dict(right, action="b")), "from the report")
    assert_wrong(exercises.check_05_diagnose_dream(candidate, dict(right, action="d")), "by hand")
    assert_wrong(exercises.check_05_diagnose_dream(candidate, ("Chinstrap", "Adelie", "c")), "a dict")


def test_5_3_a_recall_floor_for_chinstrap_on_dream_or_for_females_passes(candidate, course):
    assert exercises.check_05_reject_candidate(recall_floor(), JUSTIFIED, candidate, course)
    female = tfma.SlicingSpec(feature_values={"sex": "female"})
    why = ("Females: the candidate recalls 25 % of the female Chinstraps, and the course model all, so 0.6 "
           "is safe.")
    assert exercises.check_05_reject_candidate(recall_floor(0.6, female), why, candidate, course)


def test_5_3_typical_wrong_answers_get_their_hint(candidate, course):
    def wrong(answer, hint, justification=JUSTIFIED):
        assert_wrong(exercises.check_05_reject_candidate(answer, justification, candidate, course), hint)

    wrong(tfma.MetricConfig(class_name="Recall"), "tfma.MetricsSpec")
    wrong(tfma.MetricsSpec(metrics=[tfma.MetricConfig(class_name="Recall")]), "no threshold")
    wrong(recall_floor(slicing=tfma.SlicingSpec(feature_keys=["island"])), "feature_keys means every value")
    wrong(recall_floor(slicing=tfma.SlicingSpec()), "empty SlicingSpec")
    wrong(recall_floor(change=True), "value threshold")
    wrong(recall_floor(metric="SparseCategoricalAccuracy", binarize=False), "binarize one class")
    wrong(recall_floor(class_ids=(0, 1, 2)), "binarize one class")
    wrong(recall_floor(slicing=tfma.SlicingSpec(feature_values={"island": "dream"})), "not in the evaluation")
    wrong(recall_floor(metric="AUC"), "no such metric")
    wrong(recall_floor(1.01), "rejects the course model too")
    wrong(recall_floor(0.5), "the candidate passes")
    wrong(recall_floor(slicing=tfma.SlicingSpec(feature_values={"island": "Torgersen"}), class_ids=(0,)),
          "the candidate passes")
    wrong(recall_floor(), "at least 12 words", justification="Dream is bad.")
    wrong(recall_floor(), "does not name the slice",
          justification="The candidate misses many of one species, so a floor well above its value and below "
                        "the course model's value rejects it.")
    floor = tfma.MetricThreshold(value_threshold=tfma.GenericValueThreshold(lower_bound={"value": 0.8}))
    every_slice = tfma.MetricsSpec(metrics=[tfma.MetricConfig(class_name="Recall", threshold=floor)])
    wrong(every_slice, "applies to every slice")

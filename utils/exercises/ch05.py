"""Checks for chapter 05 (Evaluator).

Every check reads what the chapter's Evaluators stored (``tfma.load_metrics``) and never runs a model:
exercise 5.3 is judged by TFMA's own threshold validation, run on those stored metrics
(:func:`utils.evaluation.validate_stored`), for the candidate and for the course model.
"""

from __future__ import annotations

from utils import config, evaluation
from utils.exercises.common import NOT_ATTEMPTED, exercise_check, require

CHAPTER = "05_evaluator"
CANDIDATE = "candidate"  # the model name TFX's Evaluator gives the model it judges when there is a baseline

# Exercise 5.2: what to do about the weaker candidate.
ACTIONS = {
    "a": "lower the accuracy floor of the groups to 0.6, so that the candidate is blessed",
    "b": "take island out of the slicing specs: the overall accuracy is what counts",
    "c": "train the candidate again with bill_length_mm, and judge the new model by the same thresholds",
    "d": "bless the candidate by hand: 86 % overall is good enough for a first release",
}
RIGHT_ACTION = "c"
MIN_WORDS = 12  # a justification says which slice, what bound and why, in a sentence or two


def _slice_values(evaluation_from, model_name: str, slice_key) -> dict:
    """{metric name: value} of one slice of a stored evaluation, named as in metrics_table."""
    table = evaluation.metrics_table(evaluation_from, model_name)
    name = evaluation.slice_name(slice_key)
    return table.loc[name].dropna().to_dict() if name in table.index else {}


@exercise_check("5.1", CHAPTER)
def check_05_without_sex(evaluation_from, answer):
    """5.1: how many eval penguins are in no ``sex`` slice (their sex is missing)."""
    if answer is None:
        return NOT_ATTEMPTED
    table = evaluation.metrics_table(evaluation_from)
    overall = int(table.loc[evaluation.OVERALL, "example_count"])
    in_sex = {name: int(count) for name, count in table["example_count"].items() if name.startswith("sex = ")}
    expected = overall - sum(in_sex.values())
    require(isinstance(answer, (int, float)) and not isinstance(answer, bool),
            f"answer with a number of penguins (an int), not {type(answer).__name__}")
    require(answer != overall, f"{overall} is the Overall slice: every eval penguin; count those that are "
                               "in neither sex slice")
    require(answer != sum(in_sex.values()),
            f"{answer} penguins are in a sex slice ({in_sex}); the question is how many are in none")
    require(answer == expected, "read example_count of the Overall slice and of the two sex slices (section "
                                "4's table or tfma.load_eval_result) and take the difference")
    return (f"{expected} of {overall} eval penguins have no sex: they count in Overall and in their island, "
            "and in no sex slice, so the sex comparison leaves them out")


@exercise_check("5.2", CHAPTER)
def check_05_diagnose_dream(candidate_evaluation, answer):
    """5.2: on Dream, which species the candidate misses, which it takes them for, and what to do."""
    if answer is None:
        return NOT_ATTEMPTED
    require(isinstance(answer, dict) and set(answer) == {"missed", "taken_for", "action"},
            'answer with a dict {"missed": species, "taken_for": species, "action": letter}')
    dream = _slice_values(candidate_evaluation, CANDIDATE, (("island", "Dream"),))
    recall = {label: dream[f"recall ({label})"] for label in config.LABELS if f"recall ({label})" in dream}
    precision = {label: dream[f"precision ({label})"] for label in config.LABELS
                 if f"precision ({label})" in dream}
    missed, taken_for = min(recall, key=recall.get), min(precision, key=precision.get)
    absent = [label for label in config.LABELS if label not in recall]
    for key in ("missed", "taken_for"):
        require(answer[key] in config.LABELS, f'"{key}": name a species among {list(config.LABELS)}')
        require(answer[key] not in absent, f"no {answer[key]} lives on Dream: its recall there is NaN (no "
                                           "such penguin in the slice); compare the other two")
    require(answer["missed"] == missed,
            f'"missed": the species the candidate misses is the one with the lowest recall on Dream; '
            f"{answer['missed']}'s recall there is {recall[answer['missed']]:.2f}")
    require(answer["taken_for"] == taken_for,
            '"taken_for": the penguins it misses are predicted as another species, which then gets wrong '
            "predictions among its own: look for the lowest precision on Dream")
    require(answer["action"] in ACTIONS, f'"action": one of the letters {sorted(ACTIONS)}')
    hints = {"a": "a threshold lowered until the model passes protects nobody: the Dream penguins are still "
                  "misclassified",
             "b": "without the island slices the Dream failure disappears from the report, not from the "
                  "predictions",
             "d": "the blessing exists so that nobody has to decide this by hand, and the failure is real: "
                  "half the Chinstraps are wrong"}
    require(answer["action"] == RIGHT_ACTION, hints.get(answer["action"], ""))
    return (f"on Dream the candidate misses {missed} (recall {recall[missed]:.2f}) and predicts them as "
            f"{taken_for} (precision {precision[taken_for]:.2f}); bill_length_mm separates the two, so the "
            "fix is the model, and the thresholds stay")


def _thresholds(spec) -> list:
    """Every (slicing spec, MetricThreshold) in a MetricsSpec: per-slice ones, and those on every slice."""
    found = []
    for metric in spec.metrics:
        if metric.HasField("threshold"):
            found.append((None, metric.threshold))
        for per_slice in metric.per_slice_thresholds:
            found.extend((slicing, per_slice.threshold) for slicing in per_slice.slicing_specs)
        for cross in metric.cross_slice_thresholds:
            found.extend(("cross", cross.threshold) for _ in cross.cross_slicing_specs)
    return found


@exercise_check("5.3", CHAPTER)
def check_05_reject_candidate(answer, justification, candidate_evaluation, course_evaluation):
    """5.3: a MetricsSpec whose thresholds sit on one named slice and on one class, which rejects the weaker
    candidate and blesses the course model, judged by TFMA's validation on the stored metrics."""
    import tensorflow_model_analysis as tfma

    if answer is None:
        return NOT_ATTEMPTED
    require(isinstance(answer, tfma.MetricsSpec), f"answer with a tfma.MetricsSpec(...), not "
                                                  f"{type(answer).__name__}")
    thresholds = _thresholds(answer)
    require(thresholds, "your MetricsSpec has no threshold: give a MetricConfig per_slice_thresholds=[...]")
    require(all(slicing != "cross" for slicing, _ in thresholds),
            "cross-slice thresholds never bless a model in TFMA 0.47.1 (section 6): use per_slice_thresholds")
    require(all(slicing is not None for slicing, _ in thresholds),
            "a MetricConfig(threshold=...) applies to every slice, Overall included: put it in "
            "per_slice_thresholds, on one slice")
    require(all(threshold.HasField("value_threshold") and not threshold.HasField("change_threshold")
                for _, threshold in thresholds),
            "use a value threshold (tfma.GenericValueThreshold(lower_bound=...)): the question is a fixed "
            "bar, not a comparison with a baseline")
    require(all(slicing.feature_values and not slicing.feature_keys for slicing, _ in thresholds),
            'name one slice by its value, e.g. tfma.SlicingSpec(feature_values={"sex": "female"}): '
            "feature_keys means every value of the feature, and an empty SlicingSpec() is Overall")
    require(answer.HasField("binarize") and len(answer.binarize.class_ids.values) == 1,
            "accuracy averages the three species and hides which one fails: binarize one class, e.g. "
            'binarize=tfma.BinarizationOptions(class_ids={"values": [1]}), and threshold its Recall or '
            "Precision")
    config = tfma.EvalConfig(model_specs=evaluation.EVAL_CONFIG.model_specs,
                             slicing_specs=evaluation.EVAL_CONFIG.slicing_specs, metrics_specs=[answer])
    try:
        candidate = evaluation.validate_stored(candidate_evaluation, config, CANDIDATE)
        course = evaluation.validate_stored(course_evaluation, config)
    except ValueError as error:
        require(False, f"TFMA cannot check this MetricsSpec: {error}")
    not_found = evaluation.failures_table(candidate)
    require(not (not_found["value"].isna() & (not_found["metric"] != "")).any(),
            "TFMA found no such metric in the evaluation: use Precision or Recall (the Evaluator computed "
            "them per class)")
    names = sorted(evaluation.metrics_table(course_evaluation).index)
    require(not candidate.missing_slices and not course.missing_slices,
            f"your slice is not in the evaluation (a typo in a feature or a value?); its slices are {names}")
    course_failures = evaluation.failures_table(course)
    require(course.validation_ok, "your threshold rejects the course model too: "
            + "; ".join(f"{row.slice}: {row.metric} {row.value:.3f}, {row.threshold}"
                        for row in course_failures.itertuples())
            + ". A gate must let a good model through: lower the bound")
    require(not candidate.validation_ok,
            "the candidate passes your threshold: look in section 5's table for a slice where one species' "
            "recall or precision collapses, and put the bound above the candidate's value")
    require(isinstance(justification, str) and len(justification.split()) >= MIN_WORDS,
            f"justify in at least {MIN_WORDS} words: which slice and class, why that bound, and how many "
            "penguins the slice has")
    slice_values = {str(value) for slicing, _ in thresholds for value in slicing.feature_values.values()}
    require(any(value.lower() in justification.lower() for value in slice_values),
            f"your justification does not name the slice you threshold ({sorted(slice_values)})")
    failed = evaluation.failures_table(candidate).iloc[0]
    return (f"the candidate fails it ({failed.slice}: {failed.metric} {failed.value:.3f}, "
            f"{failed.threshold}), the course model passes it")

"""Chapter 06's checks: right answers pass, typical wrong ones fail with their hint, None waits. They read
artifacts made here with what the chapter's components store (pushed_version, infra_failure)."""

import pytest
from tfx.types import standard_artifacts

from tests.exercise_testing import assert_not_attempted, assert_wrong
from utils import exercises

COURSE, RETRAINED = 1795786659, 1795786772


def push(version: int):
    artifact = standard_artifacts.PushedModel()
    artifact.set_int_custom_property("pushed", 1)
    artifact.set_string_custom_property("pushed_version", str(version))
    return artifact


def failed(reason: str):
    blessing = standard_artifacts.InfraBlessing()
    blessing.set_int_custom_property("blessed", 0)
    blessing.set_string_custom_property("infra_failure", reason)
    return blessing


SUSPECTS = {
    "A": failed("cannot build the requests: ValueError: SignatureDef of name serving_default could not be "
                "found in MetaGraphDef"),
    "B": failed("attempt 1 of 1: the model server not ready after 1 s (max_loading_time_seconds = 1 covers "
                "starting the server and loading the model)"),
}
RIGHT_DIAGNOSIS = {"A": ("b", "w"), "B": ("c", "y")}


@pytest.fixture()
def serving(tmp_path):
    base = tmp_path / "serving" / "penguins"
    for version in (COURSE, RETRAINED):
        (base / str(version)).mkdir(parents=True)
        (base / str(version) / "saved_model.pb").write_bytes(b"")
    return base


PIN_COURSE = f"model_version_policy {{ specific {{ versions: {COURSE} }} }}"


def config(base, policy=PIN_COURSE, name="penguins", labels=""):
    return (f'model_config_list {{ config {{ name: "{name}" base_path: "{base}" model_platform: "tensorflow" '
            f"{policy} {labels} }} }}")


def test_none_means_not_attempted(capsys, serving):
    assert_not_attempted(exercises.check_06_read_pushes(push(COURSE), push(RETRAINED), None))
    assert_not_attempted(exercises.check_06_diagnose_failures(SUSPECTS, None))
    assert_not_attempted(exercises.check_06_rollback(None, push(COURSE), push(RETRAINED), serving))
    assert capsys.readouterr().out.count("not attempted yet") == 3


def test_6_1_the_versions_and_the_one_served():
    def check(answer):
        return exercises.check_06_read_pushes(push(COURSE), push(RETRAINED), answer)

    right = {"course": COURSE, "retrained": RETRAINED, "served": RETRAINED}
    assert check(right)
    assert_wrong(check(dict(right, served=COURSE)), "highest number")
    assert_wrong(check(dict(right, course=str(COURSE))), "versions are ints")
    assert_wrong(check(dict(right, course=RETRAINED, retrained=COURSE)), "pushed_version")
    assert_wrong(check(dict(right, served=1)), "one of the two versions")
    assert_wrong(check([COURSE, RETRAINED]), "a dict")


def test_6_2_causes_and_fixes():
    def check(**changes):
        return exercises.check_06_diagnose_failures(SUSPECTS, dict(RIGHT_DIAGNOSIS, **changes))

    assert check()
    assert_wrong(check(A=("a", "w")), "infra_failure")
    assert_wrong(check(B=("b", "w")), "infra_failure")
    assert_wrong(check(A=("d", "w")), "no answer was checked")
    assert_wrong(check(A=("b", "x")), "checks nothing")
    assert_wrong(check(B=("c", "z")), "never ran it in a server")
    assert_wrong(check(B=("c", "w")), "remove the cause")
    assert_wrong(check(A="b"), "a pair")
    assert_wrong(check(A=("q", "w")), "a cause among")
    assert_wrong(exercises.check_06_diagnose_failures(SUSPECTS, {"A": ("b", "w")}), "one entry per suspect")


def test_6_3_a_rollback_pins_the_course_version(serving):
    def check(text):
        return exercises.check_06_rollback(text, push(COURSE), push(RETRAINED), serving)

    assert check(config(serving))
    assert check(config(serving, labels=f'version_labels {{ key: "stable" value: {COURSE} }}'))
    both = f"model_version_policy {{ specific {{ versions: {COURSE} versions: {RETRAINED} }} }}"
    assert_wrong(check(config(serving, both, labels=f'version_labels {{ key: "stable" value: {COURSE} }}')),
                 "highest loaded version")
    assert_wrong(check(config(serving, "model_version_policy { latest { num_versions: 2 } }")),
                 "highest loaded version")
    assert_wrong(check(config(serving, "")), "still loaded")
    assert_wrong(check(config(serving, "model_version_policy { all {} }")), "still loaded")
    assert_wrong(check(config(serving, "model_version_policy { specific { versions: 1 } }")),
                 "loads no version")
    assert_wrong(check(config(serving, labels=f'version_labels {{ key: "canary" value: {RETRAINED} }}')),
                 "not loaded")
    assert_wrong(check(config(serving, name="penguin")), 'call the model "penguins"')
    assert_wrong(check(config("serving/penguins")), "absolute path")
    assert_wrong(check("model_config_list { config { name: penguins } }"), "cannot parse")
    assert_wrong(check(config(serving) + config(serving)), "cannot parse|one model")
    assert_wrong(check(42), "as text")

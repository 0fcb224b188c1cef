"""The course pipeline as an Apache Airflow DAG (utils/airflow_dags/penguins_dag.py), run for real with
``airflow dags test`` on a SQLite metadata database, in the environment tools/airflow_env.py makes: every
task succeeds and the model is pushed; a second DAG run is answered from TFX's cache and pushes nothing."""

from __future__ import annotations

import os
import re
import subprocess

import pytest
from ml_metadata import metadata_store
from ml_metadata.proto import metadata_store_pb2

from tools import airflow_env
from utils import paths

DAG_ID = "penguins_airflow"
TASKS = {"CsvExampleGen", "StatisticsGen", "ImportSchemaGen", "ExampleValidator", "DataGate", "Transform",
         "tuned_hyperparameters", "Trainer", "baseline_resolver", "Evaluator", "ModelServerInfraValidator",
         "Pusher"}


def test_the_airflow_lock_keeps_the_course_pins_but_airflows_own():
    """requirements-airflow.lock differs from requirements.lock only where Airflow 2.11.2 needs it to."""
    def pins(path):
        return dict(re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", path.read_text(), re.M))
    course, airflow = pins(paths.REPO_ROOT / "requirements.lock"), pins(airflow_env.LOCK)
    assert set(course) <= set(airflow), "a course package is missing: python tools/airflow_env.py --lock"
    moved = {name for name in course if course[name] != airflow[name]}
    assert moved <= {"babel", "importlib-metadata", "opentelemetry-api", "opentelemetry-sdk", "rich",
                     "opentelemetry-semantic-conventions", "opentelemetry-resourcedetector-gcp"}, moved
    for name in ("tfx", "tensorflow", "protobuf", "apache-beam", "ml-metadata"):
        assert airflow[name] == course[name], name
    assert airflow["apache-airflow"] == "2.11.2"


@pytest.fixture(scope="module")
def airflow(tmp_path_factory):
    python = airflow_env.ensure()
    base = tmp_path_factory.mktemp("airflow")
    env = {**os.environ,
           "AIRFLOW_HOME": str(base / "home"),
           "AIRFLOW__CORE__DAGS_FOLDER": str(paths.REPO_ROOT / "utils" / "airflow_dags"),
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           # Importing TFX and building the Transform module's wheel takes longer than Airflow's 30 s.
           "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "600",
           "PYTHONPATH": str(paths.REPO_ROOT),
           paths.WORKDIR_ENV: str(base / "work")}

    def run(*args, timeout=1200):
        done = subprocess.run([str(python.with_name("airflow")), *args], env=env, capture_output=True,
                              text=True, timeout=timeout)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return done.stdout + done.stderr

    run("db", "migrate", timeout=300)
    return run, base / "work" / "orchestrated" / DAG_ID


def store(folder):
    config = metadata_store_pb2.ConnectionConfig()
    config.sqlite.filename_uri = str(folder / "metadata.sqlite")
    return metadata_store.MetadataStore(config)


@pytest.mark.pipeline_run
def test_a_dag_run_runs_every_task_and_pushes_a_model(airflow):
    run, folder = airflow
    log = run("dags", "test", DAG_ID, "2024-01-02")
    succeeded = set(re.findall(r"Marking task as SUCCESS\. dag_id=\w+, task_id=(\w+)", log))
    assert succeeded == TASKS
    assert "state=success" in log
    [version] = os.listdir(folder / "serving" / "penguins")
    assert (folder / "serving" / "penguins" / version / "saved_model.pb").is_file()


@pytest.mark.pipeline_run
def test_a_second_dag_run_is_answered_from_the_cache(airflow):
    run, folder = airflow
    before = os.listdir(folder / "serving" / "penguins")
    run("dags", "test", DAG_ID, "2024-01-03")
    assert os.listdir(folder / "serving" / "penguins") == before
    executions = store(folder).get_executions()
    states = {}
    for execution in executions:
        component = execution.properties["component_id"].string_value
        states.setdefault(component, []).append(execution.properties["state"].string_value)
    # AirflowDagRunner uses TFX's legacy launcher, which records a cache hit as state "cached".
    for component in TASKS - {"baseline_resolver"}:
        assert states[component][-1] == "cached", (component, states[component])

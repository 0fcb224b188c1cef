"""``make pipeline DATA=...`` (utils/run_pipeline.py, utils/course_pipeline.py, utils/components/baseline.py):
bad data are refused with a message naming file, column and problem and nothing is pushed; DataGate stops
the pipeline itself on data that reach it; clean data are pushed once, and a re-run is answered from the
cache without a second version."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest
from ml_metadata import metadata_store
from ml_metadata.proto import metadata_store_pb2
from tfx.types import standard_artifacts

from utils import data, paths, run_pipeline
from utils.components.baseline import latest_blessed_other

CLEAN = data.dataset_file("penguins/clean")


def artifact(kind, artifact_id, **custom):
    made = kind()
    made.id = artifact_id
    for key, value in custom.items():
        made.set_int_custom_property(key, value)
    return made


def blessing(model_id, blessed):
    return artifact(standard_artifacts.ModelBlessing, 100 + model_id, current_model_id=model_id,
                    blessed=blessed)


def test_the_baseline_is_the_latest_blessed_model_other_than_the_candidate():
    models = [artifact(standard_artifacts.Model, i) for i in (1, 2, 3)]
    blessings = [blessing(1, 1), blessing(2, 1), blessing(3, 0)]
    model, found = latest_blessed_other([models[2]], models, blessings)
    assert model.id == 2 and found.id == 102
    # A re-run: the candidate is the model blessed last; TFX's strategy would return it, this one does not.
    model, found = latest_blessed_other([models[1]], models[:2], blessings[:2])
    assert model.id == 1
    assert latest_blessed_other([models[0]], models[:1], blessings[:1]) == (None, None)


def test_the_pipeline_name_comes_from_the_folder(tmp_path):
    assert run_pipeline.pipeline_name(None) == "penguins"
    assert run_pipeline.pipeline_name(tmp_path / "my data (2024)") == "own_my_data_2024"


def test_a_bad_file_is_named_and_nothing_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(paths.WORKDIR_ENV, str(tmp_path / "work"))
    folder = tmp_path / "delivery"
    folder.mkdir()
    frame = pd.read_csv(CLEAN, dtype=str, keep_default_na=False)
    frame.to_csv(folder / "good.csv", index=False)
    frame.assign(island=frame.island.replace("Dream", "Anvers")).to_csv(folder / "bad.csv", index=False)
    assert run_pipeline.main(["--data", str(folder)]) == run_pipeline.DATA_REFUSED
    message = capsys.readouterr().err
    assert "bad.csv: column 'island': Examples contain values missing from the schema: Anvers" in message
    assert "good.csv" not in message and "nothing was trained or pushed" in message
    assert not (tmp_path / "work" / "orchestrated").exists()


@pytest.mark.pipeline_run
def test_data_gate_stops_the_pipeline_before_anything_is_trained(tmp_path, monkeypatch):
    """Data that skip the per-file check still meet DataGate: LocalDagRunner raises its error, Transform,
    Trainer and Pusher never run, and no version is pushed."""
    monkeypatch.setenv(paths.WORKDIR_ENV, str(tmp_path / "work"))
    from utils import course_pipeline
    from utils.components.data_gate import DataGateError

    folder = tmp_path / "delivery"
    folder.mkdir()
    frame = pd.read_csv(CLEAN, dtype=str, keep_default_na=False)
    frame.assign(body_mass_g=frame.body_mass_g.where(frame.index % 10 != 0, "heavy")).to_csv(
        folder / "penguins.csv", index=False)
    layout = course_pipeline.Layout.for_run("gate_test")
    with pytest.raises(DataGateError, match="feature 'body_mass_g'"):
        course_pipeline.run_local(course_pipeline.create_pipeline(layout, folder))
    config = metadata_store_pb2.ConnectionConfig()
    config.sqlite.filename_uri = str(layout.metadata)
    ran = {context.name.split(".", 1)[1] for context in metadata_store.MetadataStore(config).get_contexts()
           if context.type_id and "." in context.name}
    assert {"CsvExampleGen", "ExampleValidator", "DataGate"} <= ran
    assert not ran & {"Transform", "Trainer", "Pusher"}
    assert not layout.serving.exists()


def run_cli(tmp_path, folder):
    env = {**os.environ, paths.WORKDIR_ENV: str(tmp_path / "work"), "PYTHONPATH": str(paths.REPO_ROOT)}
    return subprocess.run([sys.executable, "-m", "utils.run_pipeline", "--data", str(folder)], env=env,
                          capture_output=True, text=True, timeout=900)


@pytest.mark.pipeline_run
def test_clean_data_are_pushed_once_and_a_re_run_is_answered_from_the_cache(tmp_path):
    folder = tmp_path / "penguins_2024"
    folder.mkdir()
    frame = pd.read_csv(CLEAN, dtype=str, keep_default_na=False)
    frame.iloc[:200].to_csv(folder / "part-1.csv", index=False)
    frame.iloc[200:].to_csv(folder / "part-2.csv", index=False)
    first = run_cli(tmp_path, folder)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "pushed: version" in first.stdout
    serving = tmp_path / "work" / "orchestrated" / "own_penguins_2024" / "serving" / "penguins"
    [version] = os.listdir(serving)
    assert (serving / version / "saved_model.pb").is_file()
    assert (serving / version / "assets.extra" / "tf_serving_warmup_requests").is_file()
    second = run_cli(tmp_path, folder)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "nothing new to push: TFX's cache answered" in second.stdout
    assert os.listdir(serving) == [version]
    assert "AtomicFunction" not in first.stderr + second.stderr

"""utils/penguin_classifier.py: configurations, validation, reproducible training, the exported SavedModel."""

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from utils import paths
from utils import penguin_classifier as pc


def test_configurations_differ_in_settings_only_and_round_trip_through_json():
    differences = pc.DEVELOPMENT.differences(pc.PRODUCTION)
    assert set(differences) == {"name", "seed", "threads", "validation", "log"}
    assert pc.RunConfig.from_json(pc.PRODUCTION.to_json()) == pc.PRODUCTION
    with pytest.raises(ValueError, match="unknown settings \\['thread'\\]"):
        pc.RunConfig.from_json(json.dumps({"name": "x", "thread": 1}))


def test_refusals_name_the_line_and_the_reason():
    rows = pd.DataFrame({"bill_length_mm": [40.0, None, 80.0], "bill_depth_mm": [18.0, 17.0, 18.0],
                         "flipper_length_mm": [190, 190, 190], "body_mass_g": [3800, 3800, 3800]})
    assert pc.refusals(rows, pc.MEASUREMENTS) == [
        "line 3: bill_length_mm missing", "line 4: bill_length_mm=80.0 outside (30, 65)"]


def test_production_validation_refuses_the_two_empty_birds_and_stops_when_there_are_too_many():
    train, evaluation, refused = pc.load(pc.PRODUCTION)
    assert len(refused) == 2 and all("missing" in reason for reason in refused)
    assert (len(train), len(evaluation)) == (223, 119)
    assert pc.load(pc.DEVELOPMENT)[2] == []
    with pytest.raises(pc.RefusedDataError, match="2 of 344 rows refused"):
        pc.load(dataclasses.replace(pc.PRODUCTION, max_refused_share=0.0))
    with pytest.raises(ValueError, match="validation must be"):
        pc.load(dataclasses.replace(pc.PRODUCTION, validation="ignore"))


def test_island_means_join_and_leave_unknown_islands_empty():
    rows = pd.DataFrame({"island": ["A", "A", "B"], "body_mass_g": [3000, 4000, 5000]})
    means = pc.island_means(rows)
    assert means == {"A": 3500.0, "B": 5000.0}
    joined = pc.with_island_mean(pd.DataFrame({"island": ["B", "C"]}), means)
    assert joined[pc.ISLAND_MEAN].iloc[0] == 5000.0 and np.isnan(joined[pc.ISLAND_MEAN].iloc[1])


def test_a_seed_reproduces_the_model_and_the_export_serves_it(tmp_path):
    seeded = dataclasses.replace(pc.DEVELOPMENT, seed=7, epochs=5)
    first, second = pc.train(seeded), pc.train(seeded)
    assert first.report["weights"] == second.report["weights"]
    x = pc.inputs(first.eval_rows, pc.MEASUREMENTS)[:3]
    served = tf.saved_model.load(pc.export(first.model, tmp_path / "model")).signatures["serving_default"]
    np.testing.assert_allclose(served(features=tf.constant(x))["probabilities"].numpy(),
                               pc.predict(first.model, x), atol=1e-6)


def test_the_production_job_runs_as_a_process_with_its_own_threads(tmp_path):
    job_config = dataclasses.replace(pc.PRODUCTION, epochs=2, log_file=str(tmp_path / "log.jsonl"),
                                     export_dir=str(tmp_path / "model"))
    (tmp_path / "prod.json").write_text(job_config.to_json())
    command = [sys.executable, "-m", "utils.penguin_classifier", "--config", str(tmp_path / "prod.json")]
    job = subprocess.run(command, cwd=paths.REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert job.returncode == 0, job.stderr[-2000:]
    report = json.loads(job.stdout.strip().splitlines()[-1])
    assert report["threads"]["intra_op"] == report["threads"]["inter_op"] == 1
    assert len((tmp_path / "log.jsonl").read_text().splitlines()) == 2
    assert json.loads((tmp_path / "model" / "run.json").read_text())["settings"]["seed"] == 42

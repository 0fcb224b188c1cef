"""Course-wide settings: the one place that names the pipeline, the data and the run modes.

Every notebook has a papermill ``parameters`` cell with ``FAST = False``. The tests inject ``FAST = True``
(and set ``TFX_COURSE_FAST=1`` for nbval, which cannot inject parameters); :func:`fast_mode` merges both.
Chapters read their mode-dependent values (training steps, sample sizes...) from here, never inline.
"""

from __future__ import annotations

import os
from importlib.metadata import version as _version

# Its features, and how Transform names what it makes of them: kept beside Transform's module file, whose
# folder TFX's cache key covers (see that file); re-exported here for every other use.
from utils.tfx_modules.transform.features import (  # noqa: F401  (re-exported)
    BUCKET_SUFFIX,
    BUCKETIZED_FEATURE,
    CATEGORICAL_FEATURES,
    LABEL_KEY,
    LABELS,
    MISSING_SUFFIX,
    NUM_BUCKETS,
    NUM_OOV_BUCKETS,
    NUMERIC_FEATURES,
    TRANSFORMED_SUFFIX,
)

FAST_ENV = "TFX_COURSE_FAST"

# One pipeline for the whole course: chapters reuse each other's executions through its metadata.
PIPELINE_NAME = "penguins"
# Beam's DirectRunner in one process: the course data are tiny, so start-up dominates anyway.
# The container image is for remote workers and the DirectRunner never starts one; naming it tells TFX that
# the workers' dependencies are taken care of. Without it, every Beam-based component (ExampleGen,
# StatisticsGen, Transform, Evaluator...) first copies the whole installed tfx package into a new temp
# folder and builds an sdist of it for those workers: about 4 s per execution here, and 42 MB left in
# /tmp each time (tfx/utils/dependency_utils.py, make_beam_dependency_flags).
BEAM_PIPELINE_ARGS = ("--direct_running_mode=in_memory", "--direct_num_workers=1",
                      f"--sdk_container_image=apache/beam_python3.10_sdk:{_version('apache-beam')}")

# Chapter 04's Trainer (and Tuner): batches of training and of evaluation per run, the same in every mode
# (training the penguins takes seconds; equal steps let every chapter reuse one model from TFX's cache).
TRAIN_STEPS = 100
EVAL_STEPS = 8
# Chapter 04's Tuner in test mode: the first trials of the seeded search (else model_settings.MAX_TRIALS).
FAST_TUNER_TRIALS = 2

# The running example (data/penguins/README.md describes every set).
PENGUINS = "penguins/clean"


def fast_mode(fast: bool = False) -> bool:
    """True when the notebook should use its fast test values (papermill's FAST or TFX_COURSE_FAST=1)."""
    return bool(fast) or os.environ.get(FAST_ENV, "") == "1"

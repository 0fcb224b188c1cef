"""Course-wide settings: the one place that names the pipeline, the data and the run modes.

Every notebook has a papermill ``parameters`` cell with ``FAST = False``. The tests inject ``FAST = True``
(and set ``TFX_COURSE_FAST=1`` for nbval, which cannot inject parameters); :func:`fast_mode` merges both.
Chapters read their mode-dependent values (training steps, sample sizes...) from here, never inline.
"""

from __future__ import annotations

import os

FAST_ENV = "TFX_COURSE_FAST"

# One pipeline for the whole course: chapters reuse each other's executions through its metadata.
PIPELINE_NAME = "penguins"
# Beam's DirectRunner in one process: the course data are tiny, so start-up dominates anyway.
BEAM_PIPELINE_ARGS = ("--direct_running_mode=in_memory", "--direct_num_workers=1")

# The running example (data/penguins/README.md describes every set).
PENGUINS = "penguins/clean"
LABEL_KEY = "species"
NUMERIC_FEATURES = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")
CATEGORICAL_FEATURES = ("island", "sex")


def fast_mode(fast: bool = False) -> bool:
    """True when the notebook should use its fast test values (papermill's FAST or TFX_COURSE_FAST=1)."""
    return bool(fast) or os.environ.get(FAST_ENV, "") == "1"


# Chapter 03, Transform: how the module file (paths.TRANSFORM_MODULE) names and shapes its output features.
TRANSFORMED_SUFFIX = "_xf"  # every feature Transform outputs ends in it: raw and transformed never mix
MISSING_SUFFIX = "_missing"  # <numeric feature>_missing_xf: 1 where the raw value was absent, else 0
BUCKETIZED_FEATURE = "body_mass_g"  # also output in quantile buckets, as <name>_bucket_xf
BUCKET_SUFFIX = "_bucket"
NUM_BUCKETS = 4
NUM_OOV_BUCKETS = 1  # categories never seen in training (and missing ones) share one extra index
# The label's classes in a fixed order: Transform maps species to its index here (Adelie 0, Chinstrap 1,
# Gentoo 2), and later chapters read class names from it. A fixed table, not a vocabulary: a vocabulary is
# ordered by frequency, and that order can change from one delivery to the next.
LABELS = ("Adelie", "Chinstrap", "Gentoo")

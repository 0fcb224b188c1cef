"""Where everything lives: the one source of truth for the course's paths.

Work state (pipeline roots, the ML Metadata database, landing folders, the serving folder) lives under the
course work folder, ``work/`` in the repository by default: git ignores it, it survives a reboot (unlike
/tmp) and ``make reset`` deletes it. Set ``TFX_COURSE_WORKDIR`` to put it elsewhere (the tests do).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
SOLUTIONS_DIR = NOTEBOOKS_DIR / "solutions"
SLIDES_DIR = REPO_ROOT / "slides"
BUILD_DIR = REPO_ROOT / "build"
LOCK_FILE = REPO_ROOT / "requirements.lock"
CHECKSUMS_FILE = DATA_DIR / "checksums.sha256"
# The penguin schema as curated in chapter 02; ImportSchemaGen feeds it to every later chapter.
CURATED_SCHEMA = DATA_DIR / "penguins" / "schema" / "schema.pbtxt"
# Module files TFX components load by path, each in its own folder (TFX hashes the whole folder into the
# component's cache key); Transform's preprocessing_fn (chapter 03).
TFX_MODULES_DIR = REPO_ROOT / "utils" / "tfx_modules"
TRANSFORM_MODULE = TFX_MODULES_DIR / "transform" / "penguin_transform.py"
TRAINER_MODULE = TFX_MODULES_DIR / "trainer" / "penguin_trainer.py"
# The Tuner's best hyperparameters for the shipped penguins (chapter 04), kept so that later chapters train
# the same model without tuning again. In a sub-folder: TFX hashes only the trainer folder's own .py files.
TUNED_HYPERPARAMETERS = TFX_MODULES_DIR / "trainer" / "tuned" / "best_hyperparameters.txt"

WORKDIR_ENV = "TFX_COURSE_WORKDIR"


def work_dir() -> Path:
    """The course work folder (created on first use)."""
    path = Path(os.environ.get(WORKDIR_ENV) or REPO_ROOT / "work").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def pipeline_root(pipeline_name: str) -> Path:
    """Where a pipeline's artifacts are written, one folder per component and execution."""
    return work_dir() / "pipelines" / pipeline_name


def metadata_path(pipeline_name: str) -> Path:
    """The pipeline's ML Metadata store (SQLite): what ran, on what, producing what."""
    return pipeline_root(pipeline_name) / "metadata.sqlite"


def landing_dir(name: str) -> Path:
    """A folder that plays the role of a data source where new files arrive (chapter 01)."""
    return work_dir() / "landing" / name


def scratch_dir(name: str) -> Path:
    """A folder for files a notebook writes for itself (e.g. TFRecords it converts)."""
    path = work_dir() / "scratch" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def content_addressed_copy(path: Path, kind: str) -> Path:
    """A copy of a repository file in ``work/<kind>/<hash of its content>/``, under its own name.

    An importing component (ImportSchemaGen, Importer) is cached by the *path* it imports: fed the
    repository file directly, TFX would reuse an old import after the file was edited. A path that
    changes with the content makes the cache exact. The folder holds that one file, as TFX's Importer of
    a HyperParameters artifact needs."""
    content = Path(path).read_bytes()
    target = work_dir() / kind / hashlib.sha256(content).hexdigest()[:16] / Path(path).name
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return target


def serving_dir(model_name: str = "penguins") -> Path:
    """Where Pusher copies blessed models and the model server loads them from."""
    return work_dir() / "serving" / model_name

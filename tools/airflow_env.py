"""Chapter 09's Apache Airflow environment, made on demand: ``python tools/airflow_env.py`` prints its Python.

Airflow 2.11 moves seven pins of the course's lock (opentelemetry, rich, importlib-metadata, babel) and adds
77 packages, so it lives in a virtual environment of its own, ``build/airflow-venv``, installed from
``requirements-airflow.lock`` (the course's ``requirements.in`` plus ``apache-airflow``) with the course's
``uv``. uv links the TFX stack from its cache, where ``make setup`` left it, so only Airflow's own wheels are
downloaded the first time (about 66 MB installed); afterwards the environment is reused until the lock
changes. ``--lock`` re-resolves the lock after ``requirements.in`` or ``requirements-airflow.in`` changed.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SOURCES = REPO_ROOT / "requirements-airflow.in"
LOCK = REPO_ROOT / "requirements-airflow.lock"
VENV = REPO_ROOT / "build" / "airflow-venv"
STAMP = VENV / ".course-airflow-stamp"


class AirflowEnvError(RuntimeError):
    """The Airflow environment could not be made; the message says why and what to do."""


def uv() -> str:
    found = Path(sys.executable).with_name("uv")
    if found.is_file():
        return str(found)
    on_path = shutil.which("uv")
    if on_path is None:
        raise AirflowEnvError("uv is not installed in the course's environment: run `make setup` first.")
    return on_path


def fingerprint() -> str:
    return hashlib.sha256(LOCK.read_bytes() + sys.version.encode()).hexdigest()


def ready() -> bool:
    return (VENV / "bin" / "airflow").is_file() and STAMP.is_file() and STAMP.read_text() == fingerprint()


def run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise AirflowEnvError(f"{what} failed ({' '.join(command[:4])} ...):\n{done.stderr[-3000:]}\n"
                              "If a download failed, check the connection to the package index and run "
                              "the command again; the environment is only recorded as made once complete.")


def ensure() -> Path:
    """The Python of the Airflow environment, made or refreshed if the lock changed."""
    if ready():
        return VENV / "bin" / "python"
    if not LOCK.is_file():
        raise AirflowEnvError(f"{LOCK.name} is missing: run `python tools/airflow_env.py --lock`.")
    STAMP.unlink(missing_ok=True)
    print(f"[airflow-env] making {VENV.relative_to(REPO_ROOT)} from {LOCK.name} ...", file=sys.stderr)
    run([uv(), "venv", "--quiet", "--allow-existing", "--python", sys._base_executable, str(VENV)],
        "creating the virtual environment")
    run([uv(), "pip", "sync", "--quiet", "--python", str(VENV / "bin" / "python"), str(LOCK)],
        "installing requirements-airflow.lock")
    STAMP.write_text(fingerprint())
    return VENV / "bin" / "python"


def lock() -> None:
    run([uv(), "pip", "compile", str(SOURCES), "--python-version", "3.10", "--quiet",
         "--custom-compile-command", "python tools/airflow_env.py --lock", "-o", str(LOCK)],
        "resolving requirements-airflow.in")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lock", action="store_true", help="re-resolve requirements-airflow.lock")
    args = parser.parse_args(argv)
    try:
        if args.lock:
            lock()
        print(ensure())
    except AirflowEnvError as error:
        print(f"[airflow-env] ERROR: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

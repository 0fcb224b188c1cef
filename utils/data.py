"""The course's shipped data sets, checked against data/checksums.sha256 before use.

    from utils import data
    data.dataset("penguins/clean")        # -> Path of the folder, after checking its files
    data.dataset_file("penguins/clean")   # -> Path of its single CSV

A missing or altered file raises DataFileError naming the file and the command that restores it.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from utils import paths

RESTORE_HINT = "restore the shipped copy with `git checkout -- {path}`"
DERIVE_HINT = "or re-derive it with `make data`"
# Files the derive script cannot make: they are the sources everything else comes from.
SOURCES = ("penguins/source/", "taxi/")


class DataFileError(RuntimeError):
    """A shipped data file is missing or differs from its recorded checksum."""


def checksums(checksums_file: Path | None = None) -> dict[str, str]:
    """Recorded sha256 of every shipped data file, keyed by its path relative to data/."""
    checksums_file = checksums_file or paths.CHECKSUMS_FILE
    if not checksums_file.is_file():
        raise DataFileError(
            f"{_shown(checksums_file)} is missing: "
            + RESTORE_HINT.format(path=_shown(checksums_file))
        )
    table = {}
    for line in checksums_file.read_text().splitlines():
        if line.strip():
            digest, _, rel = line.partition("  ")
            table[rel.strip()] = digest.strip()
    return table


def _shown(path: Path) -> str:
    try:
        return path.relative_to(paths.REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def _fix(rel: str) -> str:
    shown = f"data/{rel}"
    hint = RESTORE_HINT.format(path=shown)
    return hint if rel.startswith(SOURCES) else f"{hint}, {DERIVE_HINT}"


def verify(rel: str, data_dir: Path | None = None, table: dict[str, str] | None = None) -> Path:
    """Check one file (path relative to data/) against its checksum and return its path."""
    data_dir = data_dir or paths.DATA_DIR
    table = checksums(data_dir / paths.CHECKSUMS_FILE.name) if table is None else table
    if rel not in table:
        raise DataFileError(f"data/{rel} is not a shipped data file (not in data/checksums.sha256)")
    path = data_dir / rel
    if not path.is_file():
        raise DataFileError(f"data/{rel} is missing: {_fix(rel)}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != table[rel]:
        raise DataFileError(
            f"data/{rel} was altered (sha256 {digest[:12]}..., expected {table[rel][:12]}...): "
            f"{_fix(rel)}"
        )
    return path


def dataset(name: str, data_dir: Path | None = None) -> Path:
    """Check every file of a data set (a folder under data/, e.g. 'penguins/clean'); return the folder."""
    data_dir = data_dir or paths.DATA_DIR
    table = checksums(data_dir / paths.CHECKSUMS_FILE.name)
    prefix = name.strip("/") + "/"
    members = sorted(rel for rel in table if rel.startswith(prefix))
    if not members:
        known = sorted({rel.rsplit("/", 1)[0] for rel in table})
        raise DataFileError(f"no data set '{name}' under data/; known: {', '.join(known)}")
    for rel in members:
        verify(rel, data_dir, table)
    return data_dir / name


def dataset_file(name: str, data_dir: Path | None = None) -> Path:
    """The single CSV of a data set folder (checked)."""
    folder = dataset(name, data_dir)
    csvs = sorted(folder.rglob("*.csv"))
    if len(csvs) != 1:
        raise DataFileError(f"data/{name} holds {len(csvs)} CSV files; name one of them")
    return csvs[0]



def land(name: str, target: Path) -> Path:
    """Copy the files of a shipped data set into ``target``, as a delivery arriving at a data source.

    File times are kept: ExampleGen fingerprints its input files by size and modification time, so
    landing the same files again counts as the same input (and TFX's cache can answer).
    """
    shutil.copytree(dataset(name), target, copy_function=shutil.copy2, dirs_exist_ok=True)
    return Path(target)

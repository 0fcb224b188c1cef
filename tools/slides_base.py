"""What every part of the slide builder (tools/slides.py) shares: the error a failed build raises, where a
deck's HTML goes, paths as the messages show them, atomic writes, and a regex helper."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from utils import paths

REPO = paths.REPO_ROOT
OUT_DIR = paths.BUILD_DIR / "slides"


class SlideBuildError(Exception):
    """A deck cannot be built; the message says which deck, where, and why."""


def output_path(out_dir: Path, deck: Path) -> Path:
    return out_dir / f"{deck.stem}.html"


def display(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def write_atomically(path: Path, text: str) -> None:
    """Write beside the target, then rename: a reader (another build) never sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)  # mkstemp makes 0600; the outputs are for everyone to read
    os.replace(tmp, path)


def first_group(match: re.Match) -> str:
    """The group that matched, of a regex whose alternatives each capture (quoted or bare values)."""
    return next(g for g in match.groups() if g is not None)

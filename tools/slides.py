"""Build the slide decks (slides/NN_*.md) into self-contained reveal.js HTML, offline, plus a course index.

    python tools/slides.py                       # every deck into build/slides/, and build/slides/index.html
    python tools/slides.py slides/01_example_gen.md --out /tmp/decks --force
    python tools/slides.py --check-prerequisites # what is missing to build slides? (tools/setup.sh asks)

How a deck is built (all local: nothing is downloaded at build time or when a deck is viewed):
  1. every ```mermaid block is rendered to SVG by @mermaid-js/mermaid-cli (node_modules) driving Debian's
     Chromium, all diagrams of a build in one browser (tools/slides_mermaid.mjs); each SVG is cached under
     build/slides/.cache/mermaid/ by the hash of its source, and goes into the deck as an inline <svg>;
  2. pandoc 3 (from the PyPI wheel pypandoc-binary) parses the deck; every image must be a local file
     (relative paths resolve from the deck's folder);
  3. pandoc writes reveal.js HTML with --embed-resources (reveal.js from node_modules, the course theme
     slides/theme/course.css, images, fonts all inlined), --mathml (no MathJax CDN); `::: notes` become
     speaker notes (press S in the deck);
  4. the output is checked: any resource that is not embedded (a data: URI) fails the build.
A deck is rebuilt only when its content, its images, the theme, package-lock.json, requirements.lock or
this builder's code changed. A broken mermaid block fails the build with the deck, the block's line and
mermaid's own message; a missing image with the deck and the image's path.

This file holds the build itself: what a deck's output was made from (the stamps that decide what is up to
date), pandoc, the build of many decks at once, and the command line. Its parts, in tools/:
  slides_markdown.py       reading a deck: fences, mermaid blocks, front matter, slides and notes, images
  slides_mermaid.py        drawing the diagrams (with slides_mermaid.mjs) and their cache
  slides_theme.py          the course theme as one stylesheet with its fonts
  slides_offline.py        the check that a page loads nothing from outside itself
  slides_prerequisites.py  pandoc, Node.js, node_modules, Chromium: what is missing and how to get it
  slides_index.py          build/slides/index.html
  slides_base.py           what they all share: the error, the output's path, atomic writes
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# `X as X`: a name that lives in a part but that other code reads from here (the comment says who).
from tools.slides_base import OUT_DIR, SlideBuildError, display, output_path, write_atomically  # noqa: E402
from tools.slides_base import first_group as first_group  # noqa: E402  (tools/site.py)
from tools.slides_index import INDEX_CSS as INDEX_CSS  # noqa: E402  (tools/site.py, tests/test_site.py)
from tools.slides_index import write_index  # noqa: E402
from tools.slides_markdown import ast_images, drop_comments, mermaid_blocks, resolve_images  # noqa: E402
from tools.slides_mermaid import (  # noqa: E402
    MERMAID_HELPER,
    DiagramJob,
    mermaid_key,
    render_diagrams,
    svg_cache,
    with_diagrams,
)
from tools.slides_offline import not_embedded  # noqa: E402
from tools.slides_prerequisites import CHROMIUM as CHROMIUM  # noqa: E402  (tests/test_site.py)
from tools.slides_prerequisites import (  # noqa: E402
    PACKAGE_LOCK,
    REVEALJS_DIR,
    PrerequisitesMissing,
    missing_prerequisites,
    pandoc_path,
    prerequisites_message,
    require_prerequisites,
)
from tools.slides_theme import THEME_CSS, theme_variable, write_theme  # noqa: E402
from utils import paths  # noqa: E402

DECK_GLOB = "[0-9][0-9]_*.md"
# The builder's own code: this file and its parts (tools/slides_*.py).
BUILDER_CODE = tuple(sorted(Path(__file__).resolve().parent.glob("slides*.py")))
# What decides a deck's output besides the deck itself (and its images): the cache key covers them all.
SHARED_INPUTS = (THEME_CSS, PACKAGE_LOCK, paths.LOCK_FILE, *BUILDER_CODE, MERMAID_HELPER)

PANDOC_OPTIONS = [
    "--to=revealjs", "--standalone", "--embed-resources", "--mathml",
    "--variable=width=1280", "--variable=height=720",
    "--variable=slideNumber=true", "--variable=hash=true",
]


# --------------------------------------------------------------------------- cache keys

def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def shared_digest(inputs: tuple[Path, ...] = SHARED_INPUTS) -> str:
    """One hash of everything every deck's output depends on (a missing file counts as empty)."""
    h = hashlib.sha256()
    for path in inputs:
        h.update(path.name.encode() + b"\0")
        h.update(path.read_bytes() if path.is_file() else b"<missing>")
        h.update(b"\0")
    return h.hexdigest()


def deck_key(text: str, shared: str) -> str:
    """The cache key of a deck: its content and the shared inputs (the theme, the locks, the builder)."""
    return hashlib.sha256(f"{shared}\0{text}".encode()).hexdigest()


def images_digest(images: list[Path]) -> str:
    h = hashlib.sha256()
    for path in images:
        h.update(str(path).encode() + b"\0")
        h.update(file_digest(path).encode() if path.is_file() else b"<missing>")
    return h.hexdigest()


@dataclass
class Stamp:
    """What the last successful build of a deck was made from (build/slides/.cache/decks/NAME.json)."""
    key: str
    images: list[str] = field(default_factory=list)
    images_digest: str = ""
    output_digest: str = ""

    @classmethod
    def load(cls, path: Path) -> Stamp | None:
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(self.__dict__, indent=1) + "\n")


def stamp_path(out_dir: Path, deck: Path) -> Path:
    return out_dir / ".cache" / "decks" / f"{deck.stem}.json"


def up_to_date(deck: Path, text: str, out_dir: Path, shared: str) -> bool:
    """True when the deck's last build came from exactly these inputs and its output is intact."""
    stamp = Stamp.load(stamp_path(out_dir, deck))
    output = output_path(out_dir, deck)
    return (stamp is not None and stamp.key == deck_key(text, shared) and output.is_file()
            and stamp.images_digest == images_digest([Path(p) for p in stamp.images])
            and stamp.output_digest == file_digest(output))


# --------------------------------------------------------------------------- building

def run_pandoc(args: list[str], stdin: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(pandoc_path()), *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def render_deck(deck: Path, text: str, svgs: dict[int, str], out_dir: Path,
                theme: Path | None = None) -> tuple[Path, list[Path]]:
    """pandoc: Markdown (diagrams already SVG) -> checked images -> one self-contained reveal.js HTML."""
    source = with_diagrams(text, mermaid_blocks(text), svgs)
    folder = deck.parent.resolve()
    parsed = run_pandoc(["--from=markdown", "--to=json"], source, folder)
    if parsed.returncode:
        raise SlideBuildError(f"{display(deck)}: pandoc could not read the deck:\n{parsed.stderr.strip()}")
    ast = drop_comments(json.loads(parsed.stdout))
    images = resolve_images(deck, ast_images(ast))

    output = output_path(out_dir, deck)
    fd, name = tempfile.mkstemp(dir=out_dir, prefix=f".{output.name}.", suffix=".partial")
    os.close(fd)
    os.chmod(name, 0o644)
    partial = Path(name)
    theme = theme or write_theme(out_dir)
    result = run_pandoc(["--from=json", *PANDOC_OPTIONS, f"--resource-path={folder}",
                         f"--variable=revealjs-url={REVEALJS_DIR}",
                         f"--variable=theme={theme_variable(theme)}", f"--output={partial}"],
                        json.dumps(ast), folder)
    if result.returncode:
        partial.unlink(missing_ok=True)
        raise SlideBuildError(f"{display(deck)}: pandoc failed:\n{result.stderr.strip()}")
    unfetched = re.findall(r"Could not fetch resource (\S+)", result.stderr)
    if unfetched:
        partial.unlink(missing_ok=True)
        raise SlideBuildError(f"{display(deck)}: missing resource(s): {', '.join(unfetched)}")
    for warning in result.stderr.strip().splitlines():
        print(f"[slides] {display(deck)}: pandoc: {warning}", file=sys.stderr)
    leaks = not_embedded(partial.read_text())
    if leaks:
        partial.unlink()
        raise SlideBuildError(f"{display(deck)}: the HTML would load resources from outside itself: "
                              + ", ".join(leaks[:10]))
    os.replace(partial, output)
    return output, images


@dataclass
class Report:
    built: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    index: Path | None = None
    seconds: float = 0.0


def course_decks(slides_dir: Path = paths.SLIDES_DIR) -> list[Path]:
    return sorted(slides_dir.glob(DECK_GLOB))


def build(decks: list[Path] | None = None, out_dir: Path = OUT_DIR, force: bool = False,
          index: bool | None = None, jobs: int | None = None) -> Report:
    """Build decks (default: every course deck) into out_dir; unchanged ones are skipped. Every deck is
    attempted; the errors are collected in the report (see build_or_raise)."""
    start = time.perf_counter()
    index = decks is None if index is None else index
    decks = course_decks() if decks is None else [Path(d) for d in decks]
    out_dir.mkdir(parents=True, exist_ok=True)
    report = Report()
    shared = shared_digest()
    texts = {deck: deck.read_text(encoding="utf-8") for deck in decks}
    stale = [deck for deck in decks if force or not up_to_date(deck, texts[deck], out_dir, shared)]
    report.unchanged = [deck for deck in decks if deck not in stale]
    if stale:
        require_prerequisites()
        diagram_jobs = [DiagramJob(deck, block, mermaid_key(block.body))
                        for deck in stale for block in mermaid_blocks(texts[deck])]
        diagram_errors = render_diagrams(diagram_jobs, out_dir)
        report.errors.extend(message for _, message in diagram_errors)
        theme = write_theme(out_dir)
        broken = {deck for deck, _ in diagram_errors}
        for deck in broken:
            stamp_path(out_dir, deck).unlink(missing_ok=True)
        buildable = [deck for deck in stale if deck not in broken]

        def one(deck: Path) -> Path:
            svgs = {job.block.line: (svg_cache(out_dir) / f"{job.key}.svg").read_text()
                    for job in diagram_jobs if job.deck == deck}
            output, images = render_deck(deck, texts[deck], svgs, out_dir, theme)
            Stamp(key=deck_key(texts[deck], shared), images=[str(p) for p in images],
                  images_digest=images_digest(images), output_digest=file_digest(output),
                  ).save(stamp_path(out_dir, deck))
            return output

        workers = jobs or min(len(buildable), os.cpu_count() or 1) or 1
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(one, deck): deck for deck in buildable}
            for future in futures:
                try:
                    report.built.append(future.result())
                except SlideBuildError as exc:
                    stamp_path(out_dir, futures[future]).unlink(missing_ok=True)
                    report.errors.append(str(exc))
    if index:
        remove_orphans(out_dir, decks)
        report.index = write_index(out_dir)
    report.seconds = time.perf_counter() - start
    return report


def remove_orphans(out_dir: Path, decks: list[Path]) -> None:
    """Delete the outputs of decks that no longer exist (renamed or removed from slides/)."""
    names = {deck.stem for deck in decks}
    for output in out_dir.glob(DECK_GLOB.replace(".md", ".html")):
        if output.stem not in names:
            output.unlink()
            stamp_path(out_dir, output).unlink(missing_ok=True)


def build_or_raise(decks: list[Path] | None = None, out_dir: Path = OUT_DIR, **kwargs) -> Report:
    report = build(decks, out_dir, **kwargs)
    if report.errors:
        raise SlideBuildError("\n".join(report.errors))
    return report


# --------------------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("decks", nargs="*", type=Path, help="decks to build (default: slides/NN_*.md)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default: build/slides)")
    parser.add_argument("--force", action="store_true", help="rebuild even the unchanged decks")
    parser.add_argument("--check-prerequisites", action="store_true",
                        help="only say whether this machine has what building slides needs")
    args = parser.parse_args(argv)

    if args.check_prerequisites:
        missing = missing_prerequisites()
        if missing:
            print(prerequisites_message(missing), file=sys.stderr)
            return 1
        print("[slides] pandoc, node, node_modules and Chromium are in place")
        return 0
    try:
        missing = missing_prerequisites()
        if missing:
            raise PrerequisitesMissing(prerequisites_message(missing))
        report = build(args.decks or None, args.out.resolve(), force=args.force)
    except SlideBuildError as exc:
        print(exc, file=sys.stderr)
        return 1
    for deck in report.built:
        print(f"[slides] built {display(deck)}")
    if report.unchanged:
        print(f"[slides] {len(report.unchanged)} deck(s) unchanged")
    if report.index:
        print(f"[slides] index: {display(report.index)}")
    for error in report.errors:
        print(f"[slides] ERROR {error}", file=sys.stderr)
    print(f"[slides] {len(report.built)} built, {len(report.unchanged)} unchanged, "
          f"{len(report.errors)} failed in {report.seconds:.1f} s")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())

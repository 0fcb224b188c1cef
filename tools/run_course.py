"""Run the whole course headless: every notebook in course order, each chapter followed by its solutions.

    python tools/run_course.py [--fast] [--only 01] [--out build/course]
    make course NB=02          # one chapter (and its solutions): it runs or reuses its upstream itself

Writes the executed notebooks to <out>/notebooks/; tools/site.py makes the course site of them (`make course`
runs it after the slides: build/index.html and build/course/html/). While a notebook runs, a line on the
terminal shows its running cell (updated in place); the run ends with a table of each notebook's time, split
into start-up (kernel + imports) and body (tools/notebook_timing.py). Exits 1 if any notebook failed (the
others still run: every chapter runs on its own). The course work state (work/) is reused from run to run,
so a second run reuses the pipeline's executions and is quicker; `make reset` starts from scratch.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools import notebook_timing, papermill_run  # noqa: E402
from utils import course, paths  # noqa: E402


@dataclass
class Outcome:
    notebook: Path
    seconds: float
    error: str | None = None
    startup: float | None = None
    body: float | None = None


def progress_bar(label: str):
    """papermill's progress bar as one line updated in place, on a terminal only (a log gets no bar)."""
    if not sys.stderr.isatty():
        return False
    return {"desc": label, "unit": "cell", "leave": False,
            "bar_format": "{desc}: cell {n_fmt}/{total_fmt}, {elapsed}"}


def execute(notebook: Path, out_dir: Path, fast: bool, label: str = "") -> Outcome:
    import nbformat

    target = out_dir / "notebooks" / notebook.relative_to(paths.NOTEBOOKS_DIR)
    start = time.perf_counter()
    error = papermill_run.run_notebook(notebook, target, fast,
                                       progress_bar=progress_bar(label or notebook.name))
    if error is not None:  # papermill still wrote the notebook, with the failing cell marked
        error = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
    seconds = time.perf_counter() - start
    outcome = Outcome(notebook, seconds, error)
    if target.exists():
        executed = nbformat.read(target, as_version=4)
        times = notebook_timing.split(executed, seconds)
        outcome.startup, outcome.body = times.startup, times.body
    return outcome


def table(outcomes: list[Outcome]) -> str:
    width = max(len(str(o.notebook.relative_to(paths.NOTEBOOKS_DIR))) for o in outcomes)
    lines = [f"{'notebook':<{width}}  {'start-up':>8}  {'body':>6}  {'seconds':>8}  result",
             "-" * (width + 38)]
    for o in outcomes:
        name = str(o.notebook.relative_to(paths.NOTEBOOKS_DIR))
        split = (f"{o.startup:>8.1f}  {o.body:>6.1f}" if o.startup is not None else f"{'-':>8}  {'-':>6}")
        lines.append(f"{name:<{width}}  {split}  {o.seconds:>8.1f}  {'FAILED' if o.error else 'ok'}")
    lines.append(f"{'total':<{width}}  {'':>8}  {'':>6}  {sum(o.seconds for o in outcomes):>8.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="use the notebooks' fast test values")
    parser.add_argument("--only", action="append", default=[],
                        help="run only the notebooks (chapter and solutions) whose name starts with this, "
                             "e.g. 02 (repeatable; each chapter runs or reuses its upstream itself)")
    parser.add_argument("--out", type=Path, default=paths.BUILD_DIR / "course")
    args = parser.parse_args(argv)

    only = tuple(o.zfill(2) if o.isdigit() else o for o in args.only)  # NB=2 means chapter 02
    notebooks = [nb for nb in course.notebooks(with_solutions=True) if not only or nb.name.startswith(only)]
    if not notebooks:
        written = ", ".join(c.number for c in course.written_chapters())
        print(f"no notebook matches {', '.join(only)}; the written chapters are {written}", file=sys.stderr)
        return 2
    outcomes = []
    for i, notebook in enumerate(notebooks, 1):
        name = notebook.relative_to(paths.NOTEBOOKS_DIR)
        print(f"[{i}/{len(notebooks)}] {name} ...", flush=True)
        outcome = execute(notebook, args.out, args.fast, label=f"[{i}/{len(notebooks)}] {name}")
        outcomes.append(outcome)
        status = f"FAILED: {outcome.error}" if outcome.error else "ok"
        print(f"[{i}/{len(notebooks)}] {name}: {status} ({outcome.seconds:.1f} s)", flush=True)
    print()
    print(table(outcomes))
    print(f"\nexecuted notebooks: {args.out / 'notebooks'}"
          f"\ntheir pages: python tools/site.py --notebooks {args.out / 'notebooks'} (make course runs it)")
    failed = [o for o in outcomes if o.error]
    if failed:
        print(f"\n{len(failed)} notebook(s) failed; open the executed copy to see the failing cell.",
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

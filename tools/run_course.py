"""Run the whole course headless: every notebook in course order, each chapter followed by its solutions.

    python tools/run_course.py [--fast] [--only 01] [--out build/course]

Writes the executed notebooks to <out>/notebooks/ and an HTML rendering of each to <out>/html/, prints
progress, and ends with a table of the time each notebook took. Exits 1 if any notebook failed (the others
still run: every chapter runs on its own). The course work state (work/) is reused from run to run, so a
second run reuses the pipeline's executions and is quicker; `make reset` starts from scratch.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from utils import course, kernel, paths  # noqa: E402


@dataclass
class Outcome:
    notebook: Path
    seconds: float
    error: str | None = None


def execute(notebook: Path, out_dir: Path, fast: bool) -> Outcome:
    import papermill  # imported here: `--help` stays instant

    target = out_dir / "notebooks" / notebook.relative_to(paths.NOTEBOOKS_DIR)
    target.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    error = None
    try:
        papermill.execute_notebook(
            str(notebook), str(target), parameters={"FAST": fast},
            kernel_name=kernel.KERNEL_NAME, cwd=str(notebook.parent), progress_bar=False,
        )
    except Exception as exc:  # papermill still wrote the notebook, with the failing cell marked
        error = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    seconds = time.perf_counter() - start
    if target.exists():
        render_html(target, out_dir / "html" / target.relative_to(out_dir / "notebooks"))
    return Outcome(notebook, seconds, error)


def render_html(executed: Path, html: Path) -> None:
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_filename(str(executed))
    html = html.with_suffix(".html")
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(body)


def table(outcomes: list[Outcome]) -> str:
    width = max(len(str(o.notebook.relative_to(paths.NOTEBOOKS_DIR))) for o in outcomes)
    lines = [f"{'notebook':<{width}}  {'seconds':>8}  result", "-" * (width + 20)]
    for o in outcomes:
        name = str(o.notebook.relative_to(paths.NOTEBOOKS_DIR))
        lines.append(f"{name:<{width}}  {o.seconds:>8.1f}  {'FAILED' if o.error else 'ok'}")
    lines.append(f"{'total':<{width}}  {sum(o.seconds for o in outcomes):>8.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="use the notebooks' fast test values")
    parser.add_argument("--only", action="append", default=[],
                        help="run only notebooks whose name starts with this (repeatable)")
    parser.add_argument("--out", type=Path, default=paths.BUILD_DIR / "course")
    args = parser.parse_args(argv)

    notebooks = [nb for nb in course.notebooks(with_solutions=True)
                 if not args.only or nb.name.startswith(tuple(args.only))]
    if not notebooks:
        print("no notebook matches", file=sys.stderr)
        return 2
    outcomes = []
    for i, notebook in enumerate(notebooks, 1):
        name = notebook.relative_to(paths.NOTEBOOKS_DIR)
        print(f"[{i}/{len(notebooks)}] {name} ...", flush=True)
        outcome = execute(notebook, args.out, args.fast)
        outcomes.append(outcome)
        status = f"FAILED: {outcome.error}" if outcome.error else "ok"
        print(f"[{i}/{len(notebooks)}] {name}: {status} ({outcome.seconds:.1f} s)", flush=True)
    print()
    print(table(outcomes))
    print(f"\nexecuted notebooks: {args.out / 'notebooks'}\nHTML: {args.out / 'html'}")
    failed = [o for o in outcomes if o.error]
    if failed:
        print(f"\n{len(failed)} notebook(s) failed; open the executed copy to see the failing cell.",
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

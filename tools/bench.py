"""Benchmarks of the course's performance targets; prints a table and writes build/bench/results.json.

    python tools/bench.py                      # everything, default repeats
    python tools/bench.py --only setup_noop chapter01 chapter02
    python tools/bench.py --repeats 5 --cold-repeats 1

What is measured (wall-clock seconds; these machines are noisy, so medians over repeats):
  setup_cold      tools/setup.sh into a new venv with an empty uv and pip cache: a fresh machine
                  (downloads every wheel from PyPI)
  setup_warm      tools/setup.sh into a new venv, uv's cache kept: a re-install on a used machine
  setup_noop      tools/setup.sh on the course's .venv with nothing to do
  chapterNN       notebooks/NN_*.ipynb with papermill in test mode (FAST = True) in an empty work folder:
                  the chapter on its own, every component (its upstream included) really runs
  chapterNN_reuse the same again in the work folder the previous run left: TFX's cache answers
  test_suite      the README's test command (tools/test.sh), once: the whole suite
  slides_cold     make slides' builder (tools/slides.py), every deck, into an empty output folder: no cached
                  deck, no cached mermaid SVG (so every diagram is drawn by Chromium)
  slides_noop     the same again with nothing changed: every deck is up to date
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from utils import course, kernel, paths  # noqa: E402

BENCH_DIR = paths.BUILD_DIR / "bench"
TARGETS = {"setup_cold": 60.0, "setup_noop": 5.0, "chapter01": 60.0, "chapter02": 90.0, "chapter03": 90.0,
           "slides_cold": 60.0, "slides_noop": 2.0, "test_suite": 900.0}


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=paths.REPO_ROOT, env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if result.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return seconds


def setup_into_new_venv(cold: bool) -> float:
    """A full set-up into a new venv. Cold: empty uv, pip and npm caches and no node_modules either
    (the course's node_modules is moved aside and put back). Chromium, a system package, stays."""
    venv = BENCH_DIR / "venv"
    shutil.rmtree(venv, ignore_errors=True)
    env = {"COURSE_VENV": str(venv)}
    node_modules, saved = paths.REPO_ROOT / "node_modules", BENCH_DIR / "node_modules.saved"
    if cold:
        cache = BENCH_DIR / "empty-cache"
        shutil.rmtree(cache, ignore_errors=True)
        env.update(UV_CACHE_DIR=str(cache / "uv"), PIP_NO_CACHE_DIR="1",
                   npm_config_cache=str(cache / "npm"))
        if node_modules.exists():
            shutil.rmtree(saved, ignore_errors=True)
            node_modules.rename(saved)
    try:
        return timed(["bash", "tools/setup.sh"], env)
    finally:
        shutil.rmtree(venv, ignore_errors=True)
        shutil.rmtree(BENCH_DIR / "empty-cache", ignore_errors=True)
        if saved.exists():
            shutil.rmtree(node_modules, ignore_errors=True)
            saved.rename(node_modules)


def run_chapter(chapter: course.Chapter, workdir: Path, fresh: bool) -> float:
    if fresh:
        shutil.rmtree(workdir, ignore_errors=True)
    notebook = chapter.notebook
    return timed([sys.executable, "-m", "papermill", str(notebook), str(BENCH_DIR / notebook.name),
                  "-k", kernel.KERNEL_NAME, "--cwd", str(notebook.parent), "-p", "FAST", "True",
                  "--no-progress-bar"],
                 {paths.WORKDIR_ENV: str(workdir)})


def build_slides(cold: bool) -> float:
    out = BENCH_DIR / "slides"
    if cold:
        shutil.rmtree(out, ignore_errors=True)
    elif not (out / "index.html").exists():  # a no-op needs a previous build: make one, untimed
        timed([sys.executable, "tools/slides.py", "--out", str(out)])
    return timed([sys.executable, "tools/slides.py", "--out", str(out)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cold-repeats", type=int, default=2,
                        help="cold set-ups download about 1 GB each")
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args(argv)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)

    plan = {
        "setup_cold": (args.cold_repeats, lambda: setup_into_new_venv(cold=True)),
        "setup_warm": (args.repeats, lambda: setup_into_new_venv(cold=False)),
        "setup_noop": (max(5, args.repeats), lambda: timed(["bash", "tools/setup.sh"])),
        "slides_cold": (args.repeats, lambda: build_slides(cold=True)),
        "slides_noop": (max(5, args.repeats), lambda: build_slides(cold=False)),
        "test_suite": (1, lambda: timed(["bash", "tools/test.sh", "-q"])),
    }
    for chapter in course.written_chapters():
        workdir = BENCH_DIR / f"work-{chapter.number}"
        plan[f"chapter{chapter.number}"] = (
            args.repeats, lambda c=chapter, w=workdir: run_chapter(c, w, fresh=True))
        plan[f"chapter{chapter.number}_reuse"] = (
            args.repeats, lambda c=chapter, w=workdir: run_chapter(c, w, fresh=False))
    results = {}
    for name, (repeats, measure) in plan.items():
        if args.only and name not in args.only:
            continue
        samples = []
        for i in range(repeats):
            samples.append(round(measure(), 2))
            print(f"{name} run {i + 1}/{repeats}: {samples[-1]:.1f} s", flush=True)
        results[name] = {"median_s": round(statistics.median(samples), 2), "samples_s": samples,
                         "target_s": TARGETS.get(name)}

    previous = {}
    results_file = BENCH_DIR / "results.json"
    if results_file.exists():
        previous = json.loads(results_file.read_text())
    results_file.write_text(json.dumps({**previous, **results}, indent=2) + "\n")

    print(f"\n{'benchmark':<16} {'median s':>9} {'target s':>9}  samples")
    for name, r in results.items():
        target = f"{r['target_s']:.0f}" if r["target_s"] else "-"
        print(f"{name:<16} {r['median_s']:>9.1f} {target:>9}  {r['samples_s']}")
    for name in results:
        if f"{name}_reuse" in results:
            ratio = results[name]["median_s"] / results[f"{name}_reuse"]["median_s"]
            print(f"{name} fresh / reuse: {ratio:.2f}x")
    print(f"results: {results_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
  startupNN       kernel start to "imports done" as in JupyterLab: the course kernel started through
                  jupyter_client in the notebook's folder, then the chapter's set-up cells (kernel check,
                  parameters, imports) executed; until the last one replies
  test_chapters   the notebooks as the test command runs them: every chapter and solutions notebook in course
                  order in one fresh work folder (so each chapter reuses its upstream), FAST = True; per
                  notebook: start-up, body, total (tools/notebook_timing.py); per chapter: notebook and
                  solutions
  test_fixed      the test command without notebooks (unit tests, slides, browser, lint): its fixed cost
  test_suite      the README's test command (tools/test.sh): two processes, the chapters beside the unit
                  tests and the solutions
  test_suite_unit_beside  the same with COURSE_TEST_SPLIT=unit: the solutions among the chapters, only
                  the unit tests beside them
  test_suite_serial  the same with COURSE_TEST_JOBS=1 (everything in one process, one after the other)

With test_fixed and test_chapters measured, the report projects `make test` for the full course (11
chapters): the fixed cost + the chapters measured + the median chapter for each chapter not yet written.
  slides_cold     make slides' builder (tools/slides.py), every deck, into an empty output folder: no cached
                  deck, no cached mermaid SVG (so every diagram is drawn by Chromium)
  slides_noop     the same again with nothing changed: every deck is up to date
  serving         the model server (utils/serving/bench.py): p50/p99 latency and throughput, single and
                  batched, REST and gRPC, beside the SavedModel called in-process; reported as serving_latency
                  (medians over repeats); the course model is trained on a sample once (build/bench/serving)
  scale_in_memory_1, scale_multi_processing_2
                  chapter 09's scale-out: CsvExampleGen, StatisticsGen, SchemaGen and Transform on the taxi
                  sample (tools/bench_scale.py, a fresh process and an empty store per run) with Beam's
                  DirectRunner in_memory with 1 worker, then multi_processing with 2; seconds inside
                  LocalDagRunner.run(), per component in results.json (scale_components). `--only scale`
                  runs both.
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
from tools import notebook_timing  # noqa: E402
from utils import course, kernel, paths  # noqa: E402

BENCH_DIR = paths.BUILD_DIR / "bench"
FULL_COURSE_CHAPTERS = len(course.CHAPTERS)  # 00-10
TARGETS = {"setup_cold": 60.0, "setup_noop": 5.0, "chapter01": 60.0, "chapter02": 90.0, "chapter03": 90.0,
           "slides_cold": 60.0, "slides_noop": 2.0, "test_suite": 900.0,
           "test_suite_serial": 900.0, "test_suite_unit_beside": 900.0,
           "test_fixed": 180.0, "test_projected_full_course": 900.0,
           **{f"startup{c.number}": 12.0 for c in course.CHAPTERS},
           **{f"test_chapter{c.number}": 60.0 for c in course.CHAPTERS}}


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
    return papermill(chapter.notebook, BENCH_DIR / chapter.notebook.name, workdir)


def papermill(notebook: Path, target: Path, workdir: Path) -> float:
    """One notebook as the test command and `make course` run it (tools/papermill_run.py), FAST = True."""
    return timed([sys.executable, "tools/papermill_run.py", str(notebook), str(target), "--fast"],
                 {paths.WORKDIR_ENV: str(workdir)})


def startup(chapter: course.Chapter) -> float:
    """Kernel start to imports done, as a student meets it in JupyterLab: start the course kernel in the
    notebook's folder, run the notebook's set-up cells (kernel check, parameters, imports), stop."""
    import nbformat
    from jupyter_client.manager import KernelManager

    nb = notebook_timing.setup_only(nbformat.read(chapter.notebook, as_version=4))
    env = {**os.environ, paths.WORKDIR_ENV: str(BENCH_DIR / "work-startup")}
    start = time.perf_counter()
    manager = KernelManager(kernel_name=kernel.KERNEL_NAME)
    manager.start_kernel(cwd=str(chapter.notebook.parent), env=env)
    client = manager.client()
    try:
        client.start_channels()
        client.wait_for_ready(timeout=120)
        for cell in nb.cells:
            if cell.cell_type == "code":
                reply = client.execute_interactive(cell.source, timeout=300, output_hook=lambda msg: None)
                if reply["content"]["status"] != "ok":
                    raise RuntimeError(f"{chapter.notebook.name}: a set-up cell failed: {reply['content']}")
        return time.perf_counter() - start
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_chapters(details: dict) -> float:
    """Every notebook as the test command runs it (course order, one fresh work folder, FAST = True).
    Records start-up, body and total per notebook in ``details``; returns the total."""
    import nbformat

    workdir = BENCH_DIR / "work-test"
    shutil.rmtree(workdir, ignore_errors=True)
    total = 0.0
    for notebook in course.notebooks(with_solutions=True):
        target = BENCH_DIR / "test-output" / notebook.relative_to(paths.NOTEBOOKS_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        seconds = papermill(notebook, target, workdir)
        times = notebook_timing.split(nbformat.read(target, as_version=4), seconds)
        for part in ("total", "startup", "body"):
            details.setdefault(str(notebook.relative_to(paths.NOTEBOOKS_DIR)), {}).setdefault(
                part, []).append(round(getattr(times, part), 2))
        total += seconds
    return total


def build_slides(cold: bool) -> float:
    out = BENCH_DIR / "slides"
    if cold:
        shutil.rmtree(out, ignore_errors=True)
    elif not (out / "index.html").exists():  # a no-op needs a previous build: make one, untimed
        timed([sys.executable, "tools/slides.py", "--out", str(out)])
    return timed([sys.executable, "tools/slides.py", "--out", str(out)])


def serving(runs: list) -> float:
    """One run of the model server benchmark (utils/serving/bench.py); its numbers go to ``runs``."""
    from utils.serving import bench as serving_bench

    start = time.perf_counter()
    trained = BENCH_DIR / "serving" / "trained"
    model = trained / "model" / "Format-Serving"
    if not (model / "saved_model.pb").exists():
        from tests.penguin_model import train  # the course's Transform and Trainer modules on a sample

        shutil.rmtree(trained, ignore_errors=True)
        train(trained)
    runs.append(serving_bench.run(model, BENCH_DIR / "serving"))
    print(serving_bench.report(runs[-1]), flush=True)
    return time.perf_counter() - start


def scale(mode: str, workers: int, runs: dict) -> float:
    """One run of tools/bench_scale.py in a fresh process; its per-component seconds go to ``runs``."""
    out = BENCH_DIR / "scale" / f"{mode}_{workers}"
    done = subprocess.run([sys.executable, "tools/bench_scale.py", "--mode", mode, "--workers", str(workers),
                           "--out", str(out)], cwd=paths.REPO_ROOT, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"tools/bench_scale.py --mode {mode} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    for component, seconds in result["components_s"].items():
        runs.setdefault(f"{mode}_{workers}", {}).setdefault(component, []).append(seconds)
    shutil.rmtree(out, ignore_errors=True)
    return result["run_s"]


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
    }
    for chapter in course.written_chapters():
        workdir = BENCH_DIR / f"work-{chapter.number}"
        plan[f"chapter{chapter.number}"] = (
            args.repeats, lambda c=chapter, w=workdir: run_chapter(c, w, fresh=True))
        plan[f"chapter{chapter.number}_reuse"] = (
            args.repeats, lambda c=chapter, w=workdir: run_chapter(c, w, fresh=False))
        plan[f"startup{chapter.number}"] = (args.repeats, lambda c=chapter: startup(c))
    per_notebook: dict = {}
    plan.update({
        "test_chapters": (args.repeats, lambda: test_chapters(per_notebook)),
        "test_fixed": (args.repeats, lambda: timed(["bash", "tools/test.sh", "-q", "-m", "not notebook"])),
        "test_suite": (args.repeats, lambda: timed(["bash", "tools/test.sh"])),
        "test_suite_unit_beside": (args.repeats, lambda: timed(["bash", "tools/test.sh"],
                                                               {"COURSE_TEST_SPLIT": "unit"})),
        "test_suite_serial": (args.repeats,
                              lambda: timed(["bash", "tools/test.sh"], {"COURSE_TEST_JOBS": "1"})),
    })
    serving_runs: list = []
    plan["serving"] = (args.repeats, lambda: serving(serving_runs))
    scale_runs: dict = {}
    for mode, workers in (("in_memory", 1), ("multi_processing", 2)):
        plan[f"scale_{mode}_{workers}"] = (args.repeats, lambda m=mode, w=workers: scale(m, w, scale_runs))
    only = set(args.only or ())
    if "scale" in only:
        only |= {name for name in plan if name.startswith("scale_")}
    results, results_file = {}, BENCH_DIR / "results.json"
    for name, (repeats, measure) in plan.items():
        if only and name not in only:
            continue
        samples = []
        for i in range(repeats):
            samples.append(round(measure(), 2))
            print(f"{name} run {i + 1}/{repeats}: {samples[-1]:.1f} s", flush=True)
        results[name] = summary(samples, TARGETS.get(name))
        if name == "serving":
            from utils.serving import bench as serving_bench

            results["serving_latency"] = serving_bench.median_of(serving_runs)
        if name.startswith("scale_"):
            results["scale_components"] = {run: {c: round(statistics.median(v), 2) for c, v in parts.items()}
                                           for run, parts in scale_runs.items()}
        # Saved after every measurement: a later one that fails (a failing test in test_fixed, say)
        # must not lose the minutes already measured.
        results_file = save(results, per_notebook)
    print(report(results))
    print(f"results: {results_file}")
    return 0


def save(results: dict, per_notebook: dict) -> Path:
    """Merge this run's results (and the per-notebook times, the projection) into results.json."""
    if per_notebook:
        results.update(chapter_costs(per_notebook))
        results["test_notebooks"] = {name: {part: summary(samples) for part, samples in parts.items()}
                                     for name, parts in per_notebook.items()}
    results_file = BENCH_DIR / "results.json"
    previous = json.loads(results_file.read_text()) if results_file.exists() else {}
    merged = {**previous, **results}
    projection = project(merged)
    if projection:
        merged["test_projected_full_course"] = results["test_projected_full_course"] = projection
    results_file.parent.mkdir(parents=True, exist_ok=True)
    results_file.write_text(json.dumps(merged, indent=2) + "\n")
    return results_file


def summary(samples: list[float], target: float | None = None) -> dict:
    return {"median_s": round(statistics.median(samples), 2), "samples_s": samples, "target_s": target}


def chapter_costs(per_notebook: dict) -> dict:
    """Per chapter, in test mode with its upstream reused: its notebook + its solutions, run by run."""
    costs = {}
    for chapter in course.written_chapters():
        names = [n for n in per_notebook if Path(n).name.startswith(chapter.number)]
        runs = zip(*(per_notebook[n]["total"] for n in names), strict=True)
        costs[f"test_chapter{chapter.number}"] = summary([round(sum(run), 2) for run in runs],
                                                         TARGETS.get(f"test_chapter{chapter.number}"))
    return costs


def project(results: dict) -> dict | None:
    """`make test` for the full course: fixed cost + the chapters measured + the median measured chapter for
    each chapter not yet written, as one process would run it; and the measured two-process make test
    (test_suite) grown in the same proportion. Needs test_fixed and the test_chapterNN results."""
    chapters = {k: v["median_s"] for k, v in results.items()
                if k.startswith("test_chapter") and k[len("test_chapter"):].isdigit()}
    if "test_fixed" not in results or not chapters:
        return None
    per_chapter = statistics.median(chapters.values())
    missing = FULL_COURSE_CHAPTERS - len(chapters)
    total = results["test_fixed"]["median_s"] + sum(chapters.values()) + missing * per_chapter
    parallel = None
    if "test_suite" in results:  # the measured make test, grown as its one-process work grows
        measured_work = results["test_fixed"]["median_s"] + sum(chapters.values())
        parallel = round(results["test_suite"]["median_s"] * total / measured_work, 1)
    return {"median_s": parallel or round(total, 1), "serial_s": round(total, 1),
            "target_s": TARGETS["test_projected_full_course"],
            "fixed_s": results["test_fixed"]["median_s"], "chapters_measured_s": chapters,
            "median_chapter_s": round(per_chapter, 1), "chapters_projected": missing,
            "budget_per_chapter_s": round((TARGETS["test_suite"] - results["test_fixed"]["median_s"])
                                          / FULL_COURSE_CHAPTERS, 1)}


def report(results: dict) -> str:
    lines = [f"\n{'benchmark':<28} {'median s':>9} {'target s':>9}  samples"]
    for name, r in results.items():
        if "median_s" in r:
            target = f"{r['target_s']:.0f}" if r.get("target_s") else "-"
            lines.append(f"{name:<28} {r['median_s']:>9.1f} {target:>9}  {r.get('samples_s', '')}")
    for name in results:
        if f"{name}_reuse" in results:
            ratio = results[name]["median_s"] / results[f"{name}_reuse"]["median_s"]
            lines.append(f"{name} fresh / reuse: {ratio:.2f}x")
    if "test_notebooks" in results:
        heading = "notebook (test mode, upstream reused)"
        lines.append(f"\n{heading:<52} {'start-up':>9} {'body':>7} {'total':>7}")
        for name, parts in results["test_notebooks"].items():
            lines.append(f"{name:<52} {parts['startup']['median_s']:>9.1f} {parts['body']['median_s']:>7.1f} "
                         f"{parts['total']['median_s']:>7.1f}")
    for variant in ("test_suite", "test_suite_unit_beside"):
        if variant in results and "test_suite_serial" in results:
            ratio = results["test_suite_serial"]["median_s"] / results[variant]["median_s"]
            lines.append(f"test_suite_serial / {variant}: {ratio:.2f}x")
    if "serving_latency" in results:
        from utils.serving import bench as serving_bench

        lines.append(serving_bench.report(results["serving_latency"]))
    p = results.get("test_projected_full_course")
    if p:
        measured = sum(p["chapters_measured_s"].values())
        lines.append(
            f"\nmake test projected for {FULL_COURSE_CHAPTERS} chapters: {p['serial_s']:.0f} s in one "
            "process "
            f"(fixed {p['fixed_s']:.0f} s + measured {measured:.0f} s + {p['chapters_projected']} x "
            f"{p['median_chapter_s']:.0f} s), {p['median_s']:.0f} s as make test runs it (two processes); "
            f"budget per chapter {p['budget_per_chapter_s']:.0f} s")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

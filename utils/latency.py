"""Measuring a model as chapter 00 compares formats and runtimes: latency, memory, size, and the machine.

Timings are never exact: the same call takes longer when another process holds the core. So a latency is
the **median** of many single calls after a warm-up (the first calls pay for lazy set-up), and every table
of timings says on which machine, under which load, it was measured.
"""

from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Latency:
    """Single-call latency in microseconds: the median and the 90th percentile of ``calls`` calls."""

    median_us: float
    p90_us: float
    calls: int

    def __str__(self) -> str:
        return f"median {self.median_us:,.0f} µs (p90 {self.p90_us:,.0f} µs, {self.calls} calls)"


def latency(call, calls: int = 200, warmup: int = 20, clock=time.perf_counter_ns) -> Latency:
    """Time ``call()`` ``calls`` times, one call at a time, after ``warmup`` untimed calls."""
    if calls < 1 or warmup < 0:
        raise ValueError(f"need calls >= 1 and warmup >= 0, got calls={calls}, warmup={warmup}")
    for _ in range(warmup):
        call()
    samples = np.empty(calls)
    for i in range(calls):
        start = clock()
        call()
        samples[i] = (clock() - start) / 1000
    return Latency(float(np.median(samples)), float(np.percentile(samples, 90)), calls)


def rss_mb() -> float:
    """This process's resident memory (RSS) in MiB: what the operating system gives it, all libraries
    included. A difference of two readings is what happened in between *plus* allocator noise: read
    differences of a few MiB as "about nothing"."""
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def size_bytes(path) -> int:
    """The size of a file, or of every file under a folder."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    if not path.is_dir():
        raise FileNotFoundError(f"{path} is neither a file nor a folder: export the model first")
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def package_size_mb(name: str) -> float:
    """What an installed Python package takes on disk, in MiB (its folder in site-packages)."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{name} is not an installed package")
    return sum(size_bytes(folder) for folder in spec.submodule_search_locations) / 2**20


def machine() -> str:
    """One line naming the machine and its load, to print beside every timing."""
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (f"{os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}; load average (1, 5, 15 min): {load}")

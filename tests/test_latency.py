"""utils/latency.py: medians of single calls, sizes on disk, resident memory, the machine line."""

import pytest

from utils import latency


def fake_clock(durations_ns):
    """A clock whose consecutive (start, end) readings are `durations_ns` apart."""
    readings = []
    now = 0
    for duration in durations_ns:
        readings += [now, now + duration]
        now += duration + 1
    return iter(readings).__next__


def test_latency_is_the_median_of_the_timed_calls_after_the_warm_up():
    calls = []
    measured = latency.latency(lambda: calls.append(1), calls=5, warmup=3,
                               clock=fake_clock([1000, 5000, 2000, 4000, 3000]))
    assert len(calls) == 8, "3 warm-up calls + 5 timed ones"
    assert measured == latency.Latency(median_us=3.0, p90_us=4.6, calls=5)
    assert str(measured) == "median 3 µs (p90 5 µs, 5 calls)"


def test_latency_refuses_no_calls():
    with pytest.raises(ValueError, match="calls >= 1"):
        latency.latency(lambda: None, calls=0)


def test_size_of_a_file_and_of_a_folder(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 10)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b").write_bytes(b"y" * 5)
    assert latency.size_bytes(tmp_path / "a") == 10
    assert latency.size_bytes(tmp_path) == 15
    with pytest.raises(FileNotFoundError, match="export the model first"):
        latency.size_bytes(tmp_path / "missing")


def test_package_size_and_memory_and_machine():
    assert latency.package_size_mb("onnxruntime") > 1
    with pytest.raises(ModuleNotFoundError, match="not an installed package"):
        latency.package_size_mb("no_such_package_here")
    before = latency.rss_mb()
    block = b"x" * (64 * 2**20)  # touched: resident
    assert latency.rss_mb() - before > 32
    del block
    line = latency.machine()
    assert "CPUs" in line and "load average" in line

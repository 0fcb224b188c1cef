"""Command-line tools of the course (set-up, course run, notebook hygiene, data, benchmarks)."""

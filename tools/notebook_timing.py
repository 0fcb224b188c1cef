"""Where a notebook's time goes: start-up (kernel start + the set-up cells) and body (every section after).

A chapter notebook opens with its title, then its set-up cells (kernel check, parameters, imports), then its
first section heading. papermill records each cell's duration in the executed copy; the kernel start is the
rest of the wall-clock time of the run. So for an executed notebook that took ``total`` seconds:

    body    = the summed durations of the cells from the first section on
    startup = total - body   (kernel start, the set-up cells, papermill's own work)

Used by ``tools/bench.py`` and ``tools/run_course.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import nbformat


@dataclass(frozen=True)
class NotebookTime:
    total: float
    startup: float
    body: float


def first_section_index(nb: nbformat.NotebookNode) -> int:
    """Index of the first cell after the set-up block: the first Markdown cell after the title."""
    for index, cell in enumerate(nb.cells):
        if index > 0 and cell.cell_type == "markdown":
            return index
    return len(nb.cells)


def setup_only(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of the notebook with only its title and set-up cells: running it times the start-up alone."""
    copy = nbformat.from_dict(nb)
    copy.cells = copy.cells[:first_section_index(copy)]
    return copy


def split(executed: nbformat.NotebookNode, total: float) -> NotebookTime:
    """Start-up and body of a notebook papermill executed in ``total`` seconds."""
    cells = [c for c in executed.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    body = sum(c.metadata.get("papermill", {}).get("duration") or 0.0
               for c in cells[first_section_index(nbformat.from_dict({"cells": cells})):])
    return NotebookTime(total=total, startup=max(total - body, 0.0), body=body)

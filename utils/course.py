"""The course map: chapters in order, and where each one's notebook, solutions and deck live.

``python -m utils.course`` prints the written notebooks in course order, each chapter followed by its
solutions: the order in which `make test` and `make course` execute them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from utils import paths


@dataclass(frozen=True)
class Chapter:
    number: str
    slug: str
    topic: str

    @property
    def name(self) -> str:
        return f"{self.number}_{self.slug}"

    @property
    def notebook(self) -> Path:
        return paths.NOTEBOOKS_DIR / f"{self.name}.ipynb"

    @property
    def solutions(self) -> Path:
        return paths.SOLUTIONS_DIR / f"{self.name}_solutions.ipynb"

    @property
    def deck(self) -> Path:
        return paths.SLIDES_DIR / f"{self.name}.md"

    @property
    def written(self) -> bool:
        return self.notebook.is_file()


CHAPTERS = (
    Chapter("00", "why_mlops", "Why MLOps: dev ≠ prod, tooling, performance, data access"),
    Chapter("01", "example_gen", "Ingesting data: ExampleGen"),
    Chapter("02", "data_validation", "StatisticsGen, SchemaGen, ExampleValidator, DataGate, drift"),
    Chapter("03", "transform", "Transform"),
    Chapter("04", "trainer_tuner", "Trainer, Tuner"),
    Chapter("05", "evaluator", "Evaluator / TFMA"),
    Chapter("06", "infra_validator_pusher", "InfraValidator, Pusher"),
    Chapter("07", "model_server", "Serving the pushed model"),
    Chapter("08", "metadata_lineage", "ML Metadata, lineage, versioning"),
    Chapter("09", "pipeline_orchestration", "The whole pipeline: Airflow, Kubeflow/Vertex, scale"),
    Chapter("10", "model_risk", "Model risk evaluation"),
)


def written_chapters() -> list[Chapter]:
    return [c for c in CHAPTERS if c.written]


def notebooks(with_solutions: bool = False) -> list[Path]:
    """The written notebooks in course order; with solutions, each chapter's follow it."""
    found = []
    for chapter in written_chapters():
        found.append(chapter.notebook)
        if with_solutions and chapter.solutions.is_file():
            found.append(chapter.solutions)
    return found


if __name__ == "__main__":
    for notebook in notebooks(with_solutions=True):
        print(notebook.relative_to(paths.REPO_ROOT))

"""The whole course pipeline, declared once (chapter 09): chapters 01-06 as one ``tfx.dsl.Pipeline``.

    from utils import course_pipeline
    layout = course_pipeline.Layout.for_run("penguins")          # where artifacts, metadata, pushes go
    course_pipeline.run_local(course_pipeline.create_pipeline(layout))

Every component comes from :mod:`utils.pipeline`, the declarations the chapters use, so a setting exists in
one place; this module only wires them into a DAG and says where a run writes. The same pipeline object is
run by ``LocalDagRunner`` (here, the notebook of chapter 09 and ``python -m utils.run_pipeline``) and
compiled by the other orchestrators of chapter 09.

What differs from the notebooks: a pipeline run is one DAG, so the Evaluator compares each new model with
the latest *other* model this pipeline blessed (:mod:`utils.components.baseline` says why not TFX's
``LatestBlessedModelStrategy``), and Transform waits for DataGate (``add_upstream_node``), so nothing is
trained on data the gate refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tfx import v1 as tfx

from utils import config, paths, pipeline
from utils.components.baseline import baseline_resolver


@dataclass(frozen=True)
class Layout:
    """Where one pipeline writes: its artifacts, its ML Metadata store and the folder Pusher pushes to."""

    name: str
    root: Path
    metadata: Path
    serving: Path

    @classmethod
    def for_run(cls, name: str, base: Path | None = None) -> Layout:
        """A pipeline called ``name`` under ``base`` (default: ``work/orchestrated/<name>``), apart from the
        notebooks' store: LocalDagRunner and InteractiveContext do not share cached executions."""
        folder = Path(base) if base is not None else paths.work_dir() / "orchestrated" / name
        return cls(name=name, root=folder / "pipeline", metadata=folder / "metadata.sqlite",
                   serving=folder / "serving" / "penguins")


def components(data_root: str | Path | None = None, serving: Path | None = None,
               kubeflow: bool = False) -> list:
    """The components of chapters 01-06 wired as one DAG: the shipped penguins, or ``data_root``.

    ``kubeflow``: the baseline comes from TFX's ``LatestBlessedModelStrategy``, since the Kubeflow V2
    compiler knows only TFX's two built-in strategies (it turns them into artifact queries) and refuses a
    strategy class of our own."""
    example_gen = pipeline.example_gen(data_root)
    statistics_gen = pipeline.statistics_gen(example_gen)
    import_schema_gen = pipeline.import_schema_gen()
    example_validator = pipeline.example_validator(statistics_gen, import_schema_gen)
    data_gate = pipeline.data_gate(example_validator)
    transform = pipeline.transform(example_gen, import_schema_gen)
    transform.add_upstream_node(data_gate)
    hyperparameters = pipeline.tuned_hyperparameters()
    trainer = pipeline.trainer(transform, hyperparameters.outputs["result"])
    baseline = pipeline.latest_blessed_model_resolver() if kubeflow else baseline_resolver(trainer)
    evaluator = pipeline.evaluator(example_gen, trainer, baseline_from=baseline)
    infra_validator = pipeline.infra_validator(trainer, example_gen)
    pusher = pipeline.pusher(trainer, evaluator, infra_validator, destination=serving)
    return [example_gen, statistics_gen, import_schema_gen, example_validator, data_gate, transform,
            hyperparameters, trainer, baseline, evaluator, infra_validator, pusher]


def create_pipeline(layout: Layout, data_root: str | Path | None = None,
                    beam_pipeline_args=config.BEAM_PIPELINE_ARGS, kubeflow: bool = False,
                    metadata_config=None) -> tfx.dsl.Pipeline:
    """The pipeline of :func:`components`, writing where ``layout`` says, with TFX's cache on.
    ``metadata_config``: another ML Metadata store than the layout's SQLite file, e.g. a shared MariaDB
    (:mod:`utils.mariadb_store`)."""
    layout.root.mkdir(parents=True, exist_ok=True)
    return tfx.dsl.Pipeline(
        pipeline_name=layout.name,
        pipeline_root=str(layout.root),
        components=components(data_root, layout.serving, kubeflow),
        metadata_connection_config=metadata_config or
        tfx.orchestration.metadata.sqlite_metadata_connection_config(str(layout.metadata)),
        beam_pipeline_args=list(beam_pipeline_args),
        enable_cache=True,
    )


def run_local(course: tfx.dsl.Pipeline) -> None:
    """Run the pipeline with LocalDagRunner: every node in order, in this process. A node that fails (e.g.
    DataGate refusing the data) raises its own exception and nothing after it runs."""
    tfx.orchestration.LocalDagRunner().run(course)

"""Compile the course pipeline for Kubeflow Pipelines v2 / Vertex AI Pipelines (chapter 09).

    from utils import kubeflow_spec
    path = kubeflow_spec.compile_spec(output_dir, pipeline_root="gs://bucket/penguins", image="…")

TFX's ``KubeflowV2DagRunner`` does not run anything: it writes the pipeline as a job spec (JSON: a
``PipelineSpec`` of the ``kfp-pipeline-spec`` protos, plus the runtime config) that a Kubeflow Pipelines v2
cluster or Vertex AI Pipelines runs, one container per component. Every container runs ``image``, which
must hold TFX 1.16 and this repository's ``utils`` package (the custom components' executors and the module
files are imported from it). Compiling also builds the module files into wheels under ``pipeline_root``
(``_wheels/``), so the root must be writable from here: a ``gs://`` root needs Google Cloud credentials.

Submitting the spec is outside this machine (no cluster here), e.g. for Vertex AI::

    from google.cloud import aiplatform
    aiplatform.PipelineJob(display_name="penguins", template_path=str(path)).submit()
"""

from __future__ import annotations

from pathlib import Path

from tfx import v1 as tfx

from utils import course_pipeline

PIPELINE_NAME = "penguins-kubeflow"  # Kubeflow V2 names: [a-z0-9][a-z0-9-]{0,127}
IMAGE = "europe-docker.pkg.dev/your-project/course/tfx-step-by-step:1.16.0"
FILE_NAME = "penguins_kubeflow_v2.json"


def compile_spec(output_dir: str | Path, pipeline_root: str | Path, image: str = IMAGE,
                 data_root: str | Path | None = None) -> Path:
    """Write the job spec of the course pipeline to ``output_dir`` and return its path."""
    root = Path(str(pipeline_root))
    layout = course_pipeline.Layout(name=PIPELINE_NAME, root=root, metadata=root / "unused.sqlite",
                                    serving=root / "serving" / "penguins")
    runner = tfx.orchestration.experimental.KubeflowV2DagRunner(
        config=tfx.orchestration.experimental.KubeflowV2DagRunnerConfig(default_image=image),
        output_dir=str(output_dir), output_filename=FILE_NAME)
    runner.run(course_pipeline.create_pipeline(layout, data_root, kubeflow=True), write_out=True)
    return Path(output_dir) / FILE_NAME

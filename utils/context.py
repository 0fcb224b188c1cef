"""The course's InteractiveContext: one pipeline, one metadata store, shared by every chapter.

Every chapter calls :func:`course_context`, which always names the pipeline the same and keeps its root
(and the ML Metadata SQLite file inside it) in the course work folder. TFX's own execution cache, which
lives in ML Metadata, then does the reuse: when chapter N re-declares a component of chapters 1..N-1 with
the same inputs, the same settings and the same module code, ``context.run`` finds the earlier execution
and hands back its artifacts in a fraction of a second; anything different (an edited module file, a
touched CSV, another split) is a different execution and runs. So each notebook runs on its own, and the
whole course costs about one pipeline run.

``CourseContext.run`` also reports, for every component, whether it ran or was reused, and how long it took.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass

from ml_metadata import metadata_store
from tfx.dsl.components.common.resolver import Resolver
from tfx.orchestration import metadata as tfx_metadata
from tfx.orchestration.experimental.interactive.interactive_context import InteractiveContext

from utils import paths
from utils.config import BEAM_PIPELINE_ARGS, PIPELINE_NAME

# Beam warns at every run that its notebook visualisations are not installed; the course does not use them.
logging.getLogger("apache_beam.runners.interactive.interactive_environment").setLevel(logging.ERROR)


@dataclass(frozen=True)
class RunRecord:
    """What one ``context.run`` did."""

    component_id: str
    execution_id: int
    action: str  # "ran", "reused" (answered from TFX's cache) or "resolved" (a Resolver node)
    seconds: float

    @property
    def reused(self) -> bool:
        return self.action == "reused"

    def __str__(self) -> str:
        verb = {"reused": "reused a cached execution", "resolved": "resolved its inputs"}
        return (f"{self.component_id}: {verb.get(self.action, self.action)} "
                f"(execution {self.execution_id}) in {self.seconds:.1f} s")


class CourseContext(InteractiveContext):
    """An InteractiveContext that keeps a log of what each ``run`` did."""

    def __init__(self, pipeline_name: str, pipeline_root: str, metadata_path: str,
                 beam_pipeline_args=None):
        super().__init__(
            pipeline_name=pipeline_name,
            pipeline_root=pipeline_root,
            metadata_connection_config=tfx_metadata.sqlite_metadata_connection_config(metadata_path),
            beam_pipeline_args=list(beam_pipeline_args or BEAM_PIPELINE_ARGS),
        )
        self.history: list[RunRecord] = []

    def run(self, component, enable_cache: bool = True, beam_pipeline_args=None):
        start = time.perf_counter()
        result = super().run(component, enable_cache=enable_cache,
                             beam_pipeline_args=beam_pipeline_args)
        if result is None:  # InteractiveContext.run is a no-op outside IPython
            raise RuntimeError(
                "InteractiveContext.run only works inside IPython/Jupyter. Run the notebook in "
                "JupyterLab (`make lab`) or with papermill (`make course`), not as a plain script."
            )
        if isinstance(component, Resolver):
            action = "resolved"
        else:
            action = "reused" if self.was_reused(result.execution_id) else "ran"
        record = RunRecord(component.id, result.execution_id, action, time.perf_counter() - start)
        self.history.append(record)
        print(record)
        return result

    def store(self) -> metadata_store.MetadataStore:
        """A client of this pipeline's ML Metadata store."""
        return metadata_store.MetadataStore(self.metadata_connection_config)

    def was_reused(self, execution_id: int) -> bool:
        """True when TFX answered from its cache instead of executing the component."""
        [execution] = self.store().get_executions_by_id([execution_id])
        return execution.properties["state"].string_value == "cached"


def course_context(pipeline_name: str = PIPELINE_NAME, fresh: bool = False) -> CourseContext:
    """The course's context. ``fresh=True`` deletes this pipeline's earlier artifacts and metadata first."""
    root = paths.pipeline_root(pipeline_name)
    if fresh and root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    return CourseContext(pipeline_name=pipeline_name, pipeline_root=str(root),
                         metadata_path=str(paths.metadata_path(pipeline_name)))

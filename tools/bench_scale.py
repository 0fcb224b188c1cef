"""One run of the scale-out benchmark (chapter 09): CsvExampleGen, StatisticsGen, SchemaGen and Transform on
the taxi sample (data/taxi/data.csv, 15,002 rows) with LocalDagRunner, Beam's DirectRunner in the mode asked.

    python tools/bench_scale.py --mode in_memory --workers 1 --out build/bench/scale/run1
    python tools/bench_scale.py --mode multi_processing --workers 2 --out ...

Every run starts from an empty pipeline root and store, so nothing comes from TFX's cache. Prints one JSON
line: the seconds inside LocalDagRunner.run() and per component (from ML Metadata: an execution's creation
to its last update). tools/bench.py (--only scale) runs it in fresh processes and takes medians.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
TAXI = REPO_ROOT / "data" / "taxi"  # also holds README.md and LICENSE: ExampleGen reads *.csv only
MODULE = REPO_ROOT / "tools" / "scale" / "taxi_transform.py"
COMPONENTS = ("CsvExampleGen", "StatisticsGen", "SchemaGen", "Transform")


def beam_args(mode: str, workers: int) -> list[str]:
    from utils import config

    others = [arg for arg in config.BEAM_PIPELINE_ARGS if not arg.startswith("--direct_")]
    return [f"--direct_running_mode={mode}", f"--direct_num_workers={workers}", *others]


def taxi_pipeline(root: Path, mode: str, workers: int):
    from tfx import v1 as tfx

    example_gen = tfx.components.CsvExampleGen(
        input_base=str(TAXI),
        input_config=tfx.proto.Input(splits=[tfx.proto.Input.Split(name="single_split", pattern="*.csv")]))
    statistics_gen = tfx.components.StatisticsGen(examples=example_gen.outputs["examples"])
    schema_gen = tfx.components.SchemaGen(statistics=statistics_gen.outputs["statistics"],
                                          infer_feature_shape=False)
    transform = tfx.components.Transform(examples=example_gen.outputs["examples"],
                                         schema=schema_gen.outputs["schema"], module_file=str(MODULE),
                                         disable_statistics=True)
    return tfx.dsl.Pipeline(
        pipeline_name="taxi_scale", pipeline_root=str(root / "pipeline"),
        components=[example_gen, statistics_gen, schema_gen, transform],
        metadata_connection_config=tfx.orchestration.metadata.sqlite_metadata_connection_config(
            str(root / "metadata.sqlite")),
        beam_pipeline_args=beam_args(mode, workers), enable_cache=False)


def component_seconds(metadata: Path) -> dict[str, float]:
    from ml_metadata import metadata_store
    from ml_metadata.proto import metadata_store_pb2

    config = metadata_store_pb2.ConnectionConfig()
    config.sqlite.filename_uri = str(metadata)
    store = metadata_store.MetadataStore(config)
    seconds = {}
    for context in store.get_contexts_by_type("node"):
        node = context.name.split(".")[-1]
        for execution in store.get_executions_by_context(context.id):
            seconds[node] = round((execution.last_update_time_since_epoch
                                   - execution.create_time_since_epoch) / 1000, 2)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("in_memory", "multi_threading", "multi_processing"),
                        default="in_memory")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    from tfx import v1 as tfx

    pipeline = taxi_pipeline(args.out, args.mode, args.workers)
    start = time.perf_counter()
    tfx.orchestration.LocalDagRunner().run(pipeline)
    seconds = time.perf_counter() - start
    print(json.dumps({"mode": args.mode, "workers": args.workers, "run_s": round(seconds, 2),
                      "components_s": component_seconds(args.out / "metadata.sqlite")}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

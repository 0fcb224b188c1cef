"""Run the whole course pipeline on a folder of CSV files: ``make pipeline DATA=path/to/folder`` (chapter 09).

    python -m utils.run_pipeline --data path/to/folder [--name NAME]
    python -m utils.run_pipeline                      # the shipped penguins

The folder must hold penguin-shaped ``.csv`` files (the columns of ``data/penguins/README.md``, a header row,
commas), about 150 rows or more in all. First every file is checked on its own (:mod:`utils.own_data`), so a
bad file is named before anything runs; then the pipeline of :mod:`utils.course_pipeline` runs with
LocalDagRunner, where DataGate stops the run on anything the file checks let through. A run writes under
``work/orchestrated/<name>/`` (artifacts, its ML Metadata store, and ``serving/penguins``, the numbered
versions Pusher pushes); run it again on the same files and TFX's cache answers.

Exit status: 0 a model was pushed (or had been, by an earlier run on the same data); 2 the data were refused,
nothing was trained or pushed; 3 the model was trained but not blessed (Evaluator or infra validation), so
nothing was pushed.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

from utils import delivery, own_data

DATA_REFUSED, NOT_BLESSED = 2, 3


def pipeline_name(data: Path | None) -> str:
    """``penguins`` for the shipped data, else ``own_<folder name>`` (letters, digits, _ and -)."""
    if data is None:
        return "penguins"
    return "own_" + (re.sub(r"[^A-Za-z0-9_-]+", "_", data.resolve().name).strip("_") or "data")


def versions(serving: Path) -> list[int]:
    return sorted(int(p.name) for p in serving.iterdir() if p.name.isdigit()) if serving.is_dir() else []


def latest_verdicts(metadata: Path) -> dict[str, int | None]:
    """The ``blessed`` property of the newest ModelBlessing and InfraBlessing in the store."""
    from ml_metadata import metadata_store
    from ml_metadata.proto import metadata_store_pb2

    config = metadata_store_pb2.ConnectionConfig()
    config.sqlite.filename_uri = str(metadata)
    store = metadata_store.MetadataStore(config)
    verdicts = {}
    for type_name in ("ModelBlessing", "InfraBlessing"):
        found = store.get_artifacts_by_type(type_name)
        newest = max(found, key=lambda a: a.id) if found else None
        verdicts[type_name] = (newest.custom_properties["blessed"].int_value
                               if newest is not None and "blessed" in newest.custom_properties else None)
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m utils.run_pipeline", description=__doc__.split("\n\n")[0],
        epilog="make pipeline DATA=path/to/folder runs this with --data.")
    parser.add_argument("--data", type=Path, help="a folder of penguin-shaped CSV files (default: the "
                        "shipped penguins, data/penguins/clean)")
    parser.add_argument("--name", help="the pipeline's name (default: own_<folder name>, or penguins)")
    args = parser.parse_args(argv)

    data = args.data
    if data is not None:
        try:
            print(own_data.check_folder(data))
        except (own_data.OwnDataError, delivery.DeliveryError) as error:
            print(f"refused: {error}", file=sys.stderr)
            return DATA_REFUSED

    from utils import course_pipeline  # imports TFX: ~20 s, paid only for data that passed
    from utils.components.data_gate import DataGateError

    layout = course_pipeline.Layout.for_run(args.name or pipeline_name(data))
    before = versions(layout.serving)
    start = time.perf_counter()
    try:
        course_pipeline.run_local(course_pipeline.create_pipeline(layout, data))
    except DataGateError as error:
        print(f"refused: {error}\nNothing was trained or pushed.", file=sys.stderr)
        return DATA_REFUSED
    seconds = time.perf_counter() - start
    after = versions(layout.serving)
    new = sorted(set(after) - set(before))
    if new:
        print(f"pushed: version {new[-1]} in {layout.serving} ({seconds:.0f} s). Serve it with\n"
              f"  python -m utils.serving --rest_api_port=8501 --model_name=penguins "
              f"--model_base_path={layout.serving}")
        return 0
    verdicts = latest_verdicts(layout.metadata)
    if verdicts.get("ModelBlessing") == 1 and verdicts.get("InfraBlessing") == 1 and after:
        print(f"nothing new to push: TFX's cache answered ({seconds:.0f} s); the model of this data is "
              f"version {after[-1]} in {layout.serving}")
        return 0
    failed = [name for name, blessed in verdicts.items() if blessed != 1]
    print(f"not pushed: the model was trained but not blessed by {' and '.join(failed) or 'Pusher'}; "
          f"read its results under {layout.root} (chapter 05: tfma.load_validation_result).",
          file=sys.stderr)
    return NOT_BLESSED


if __name__ == "__main__":
    status = main()
    # TensorFlow 2.16 keeps the functions of the trained model in module-level caches; at interpreter
    # shutdown each one prints "Exception ignored in: AtomicFunction.__del__ ... TypeError" (the module
    # globals it needs are gone by then). Everything is written and every subprocess stopped at this
    # point, so leave without the teardown.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)

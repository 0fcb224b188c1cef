"""Execute a course notebook with papermill: the one way `make course`, `make test`, `make golden` and
`make bench` run a notebook.

    run_notebook(notebook, target, fast=True) -> None, or the error papermill raised
    python tools/papermill_run.py NOTEBOOK TARGET [--fast]      # the same from a shell (exit 1 on error)

papermill injects ``FAST`` after the cell tagged ``parameters``, runs the notebook on the course kernel in
the notebook's own folder, and writes the executed copy to ``target`` (also when a cell fails, with the
failing cell marked). The kernel is stopped at once when the notebook is done (nbclient's
``shutdown_kernel="immediate"``): its graceful shutdown waited about 3.5 s per notebook here for nothing,
since every output is collected by then and TFX has committed its metadata.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from utils import kernel  # noqa: E402

CELL_TIMEOUT_S = 900


def run_notebook(notebook: Path, target: Path, fast: bool = True, progress_bar=False) -> Exception | None:
    import papermill  # imported here: callers' `--help` stays instant

    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(notebook), str(target), parameters={"FAST": fast}, kernel_name=kernel.KERNEL_NAME,
            cwd=str(Path(notebook).parent), progress_bar=progress_bar, execution_timeout=CELL_TIMEOUT_S,
            shutdown_kernel="immediate",
        )
    except Exception as exc:  # reported by the caller: the executed copy shows the failing cell
        return exc
    return None


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--fast", action="store_true", help="inject FAST = True (the test values)")
    args = parser.parse_args(argv)
    error = run_notebook(args.notebook, args.target, fast=args.fast)
    if error is not None:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Is this the course's kernel? Every notebook asks in its first cell, and the set-up asks after installing.

The check is cheap (package metadata only; TensorFlow is not imported) and says what to do when it fails.
Run ``python -m utils.kernel --check`` to also import the stack once.
"""

from __future__ import annotations

import os
import sys
from importlib import metadata

from utils import paths

KERNEL_NAME = "tfx-step-by-step"
KERNEL_DISPLAY_NAME = "TFX step by step (Python 3.10)"

# The packages whose version decides whether the notebooks run as written.
KEY_PACKAGES = (
    "tfx",
    "tensorflow",
    "tensorflow-data-validation",
    "tensorflow-model-analysis",
    "tensorflow-transform",
    "tf-keras",
    "dill",
)


class WrongKernelError(RuntimeError):
    """The notebook runs on a kernel that is not the course environment."""


def locked_versions(names=KEY_PACKAGES, lock_file=None) -> dict[str, str]:
    """The versions requirements.lock pins for ``names`` (normalised package names)."""
    lock_file = lock_file or paths.LOCK_FILE
    wanted = {_normalise(n) for n in names}
    pins = {}
    for line in lock_file.read_text().splitlines():
        name, sep, version = line.partition("==")
        if sep and not line.startswith((" ", "#")) and _normalise(name) in wanted:
            pins[_normalise(name)] = version.strip()
    return pins


def _normalise(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(".", "-")


def problems(lock_file=None) -> list[str]:
    """What is wrong with the running interpreter for this course (empty when all is well)."""
    found = []
    if sys.version_info[:2] != (3, 10):
        found.append(f"Python is {sys.version.split()[0]}, the course needs 3.10")
    for name, pinned in locked_versions(lock_file=lock_file).items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            found.append(f"{name} is not installed (the lock pins {pinned})")
            continue
        if installed != pinned:
            found.append(f"{name} {installed} is installed, the lock pins {pinned}")
    if "tensorflow" in sys.modules and os.environ.get("TF_USE_LEGACY_KERAS") != "1":
        found.append(
            "TensorFlow was imported before TF_USE_LEGACY_KERAS=1 was set: restart the kernel"
        )
    return found


def check() -> None:
    """Stop with instructions when this is not the course kernel; otherwise print one line."""
    found = problems()
    if found:
        raise WrongKernelError(
            "This notebook needs the kernel "
            f"'{KERNEL_DISPLAY_NAME}'.\n"
            "  In JupyterLab: Kernel > Change Kernel... and pick it (if it is not listed, run "
            "`make setup` in the course folder, then reload the page).\n"
            "  What is wrong with the current kernel:\n    - " + "\n    - ".join(found)
        )
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    print(f"Kernel OK: Python {sys.version.split()[0]}, tfx {metadata.version('tfx')}, "
          f"tensorflow {metadata.version('tensorflow')} (Keras 2 via tf-keras)")


def _import_stack() -> None:
    """Import what the two known traps of this stack break; raises if either is back.

    tfx-bsl needs dill, which apache-beam 2.74 stopped installing; TFX 1.16 needs Keras 2 (tf-keras) while
    TensorFlow 2.16 defaults to Keras 3. The rest of the stack is imported by the tests and notebooks:
    importing all of it here would double the set-up's check (about 22 s against 12 s).
    """
    import tensorflow as tf
    import tfx_bsl.public.tfxio  # noqa: F401  (imports dill)

    if not tf.keras.__name__.startswith("tf_keras"):
        raise RuntimeError(
            f"tf.keras is {tf.keras.__name__} (Keras 3); TFX 1.16 needs Keras 2: set TF_USE_LEGACY_KERAS=1 "
            "before TensorFlow is imported and install tf-keras (both done by `make setup`)."
        )


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        check()
        if "--check" in argv:
            _import_stack()
            print("TensorFlow (Keras 2) and tfx-bsl import OK")
    except Exception as exc:  # a message for the shell, not a traceback
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Why a course notebook starts in ten seconds, not twenty-five: modules it never needs at start load on use.

``from tfx import v1 as tfx`` imports every public TFX module, and through them client libraries of Google
Cloud and others that the course never calls. Measured with ``python -X importtime`` inside the course
kernel on the reference machine (2 cores); the course's imports took about 19 s before this module:

- ``tfx.v1.extensions`` (Vertex AI and BigQuery clients, google-cloud-aiplatform): 6.1 s, imported by
  ``tfx/v1/__init__.py``;
- ``nbformat`` (its JSON-schema validator compiles an RFC 3987 grammar): 1.6 s, by TFX's InteractiveContext;
- ``tfx.components.infra_validator.model_server_runners.kubernetes_runner``: 0.6 s, by InfraValidator;
- ``google.cloud.bigquery`` and ``google.cloud.bigquery_storage_v1``: 0.3 s, by Beam's BigQuery IO;
- ``google.cloud.pubsub`` and ``googleapiclient.discovery``: 0.4 s, by Beam's Pub/Sub IO and tfx-bsl;
- ``matplotlib.pyplot``: 0.5 s, by Keras 3 (which keras-tuner imports).

:func:`install` puts a finder at the front of ``sys.meta_path`` that gives exactly these modules Python's own
:class:`importlib.util.LazyLoader`: the import statement succeeds at once and binds a module object, and the
module's code runs the first time one of its attributes is read. Nothing changes for the code that uses
them: ``from tfx import v1 as tfx`` works as written, and ``tfx.extensions.google_cloud_ai_platform.Trainer``,
``nbformat.read`` or ``plt.subplots`` load the real module when touched (chapter 02's plots load pyplot
then). No file inside the virtual environment is changed.

Why these and no others: a module can be lazy only when the code importing it reads none of its attributes
at import time. TensorFlow, Beam, TFMA (with nltk and scikit-learn), keras-tuner and Keras 3 are read at
import time by TFX or by each other (``tfma.EvalConfig`` in TFX's component specs, ``base_tuner.BaseTuner``
in the Tuner's type, ``keras.version()`` in keras-tuner), so they load anyway: that is the remaining
~8 s. ``tests/test_lazy_imports.py`` proves that the modules above stay unloaded after the course's imports
and still work when touched; ``make bench`` (``startupNN``) measures kernel start to imports done.

``import utils`` calls :func:`install` (every notebook's first cell imports ``utils``). Set
``TFX_COURSE_EAGER_IMPORTS=1`` to switch it off, for instance to rule it out when debugging an import error.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys

LAZY_MODULES = frozenset({
    "tfx.v1.extensions",
    "nbformat",
    "tfx.components.infra_validator.model_server_runners.kubernetes_runner",
    "google.cloud.bigquery",
    "google.cloud.bigquery_storage_v1",
    "google.cloud.pubsub",
    "googleapiclient.discovery",
    "matplotlib.pyplot",
})
EAGER_ENV = "TFX_COURSE_EAGER_IMPORTS"


class LazyFinder(importlib.abc.MetaPathFinder):
    """Finds the modules of ``names`` with the other finders, then defers their execution."""

    def __init__(self, names=LAZY_MODULES):
        self.names = frozenset(names)

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.names:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = importlib.util.LazyLoader(spec.loader)
                return spec
        return None


def installed() -> bool:
    return any(isinstance(finder, LazyFinder) for finder in sys.meta_path)


def install() -> None:
    """Defer the modules of :data:`LAZY_MODULES` (once per process; not if ``TFX_COURSE_EAGER_IMPORTS=1``)."""
    if os.environ.get(EAGER_ENV) == "1" or installed():
        return
    sys.meta_path.insert(0, LazyFinder())


def is_loaded(name: str) -> bool:
    """True when module ``name`` has been imported *and* its code has run (a lazy module not yet touched
    is in ``sys.modules`` but is not loaded)."""
    module = sys.modules.get(name)
    return module is not None and not isinstance(module, importlib.util._LazyModule)

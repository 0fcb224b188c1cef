"""Helpers shared by the notebooks of *TFX step by step*.

Importing this package first sets what TFX 1.16 needs before TensorFlow is imported: TF 2.16 ships
Keras 3, while TFX 1.16 (Trainer, Transform, TFMA) needs Keras 2, i.e. the `tf-keras` package selected
by ``TF_USE_LEGACY_KERAS=1``. The course kernel sets it too; this covers any other entry point.
"""

import os
import warnings

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
# TensorFlow's C++ start-up messages (e.g. "Unable to register cuDNN factory" on a machine without a GPU)
# are noise to a student; errors that matter still arrive as Python exceptions. Set it to 0 to see them all.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# google-api-core warns at import that Python 3.10 will lose support; nothing a student can act on.
warnings.filterwarnings("ignore", category=FutureWarning, module=r"google\.api_core")

# Modules the course imports but hardly uses load on first touch: utils/lazy_imports.py says which and why.
from utils import lazy_imports  # noqa: E402

lazy_imports.install()

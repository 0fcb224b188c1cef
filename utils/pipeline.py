"""The course pipeline's components, declared once.

A chapter builds its own component step by step to teach it; the version that later chapters build on is
declared here, so that every chapter declares it identically and TFX's cache (see utils/context.py)
hands back the execution an earlier chapter already made instead of running it again.
"""

from __future__ import annotations

from tfx import v1 as tfx

from utils import config, data


def example_gen() -> tfx.components.CsvExampleGen:
    """Chapter 01: every penguin, split 2:1 into train and eval by hash (ExampleGen's default)."""
    return tfx.components.CsvExampleGen(input_base=str(data.dataset(config.PENGUINS)))

"""The course pipeline's components, declared once.

A chapter builds its own component step by step to teach it; the version that later chapters build on is
declared here, so that every chapter declares it identically and TFX's cache (see utils/context.py)
hands back the execution an earlier chapter already made instead of running it again.

Each function takes the upstream components it reads from, in pipeline order.
"""

from __future__ import annotations

from tfx import v1 as tfx

from utils import config, data, schema


def example_gen() -> tfx.components.CsvExampleGen:
    """Chapter 01: every penguin, split 2:1 into train and eval by hash (ExampleGen's default)."""
    return tfx.components.CsvExampleGen(input_base=str(data.dataset(config.PENGUINS)))


def statistics_gen(examples_from: tfx.components.CsvExampleGen) -> tfx.components.StatisticsGen:
    """Chapter 02: statistics of every split."""
    return tfx.components.StatisticsGen(examples=examples_from.outputs["examples"])


def schema_gen(statistics_from: tfx.components.StatisticsGen) -> tfx.components.SchemaGen:
    """Chapter 02: the schema inferred from the statistics (shapes not inferred: values may be missing)."""
    return tfx.components.SchemaGen(statistics=statistics_from.outputs["statistics"],
                                    infer_feature_shape=False)


def import_schema_gen() -> tfx.components.ImportSchemaGen:
    """Chapter 02: the curated schema kept in the repository (data/penguins/schema/schema.pbtxt)."""
    return tfx.components.ImportSchemaGen(schema_file=str(schema.content_addressed_copy()))


def example_validator(statistics_from: tfx.components.StatisticsGen,
                      schema_from: tfx.components.ImportSchemaGen) -> tfx.components.ExampleValidator:
    """Chapter 02: the statistics checked against the curated schema."""
    return tfx.components.ExampleValidator(statistics=statistics_from.outputs["statistics"],
                                           schema=schema_from.outputs["schema"])

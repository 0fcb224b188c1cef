"""The course pipeline as an Apache Airflow DAG (chapter 09): dag id ``penguins_airflow``.

Airflow imports this file from its DAGs folder (``AIRFLOW__CORE__DAGS_FOLDER=utils/airflow_dags``) in the
environment of ``tools/airflow_env.py``; TFX's ``AirflowDagRunner`` turns each component of
:func:`utils.course_pipeline.create_pipeline` into one task, with the DAG's edges from the components'
inputs. No schedule: a run starts when asked (``airflow dags test penguins_airflow 2024-01-02`` runs one
in the calling process, without a scheduler). ``COURSE_PIPELINE_DATA`` names a folder of CSV files to use
instead of the shipped penguins. The run writes under ``work/orchestrated/penguins_airflow/``.

This file imports Airflow: it is not importable in the course's own environment, on purpose.
"""

import datetime
import os

from tfx.orchestration.airflow.airflow_dag_runner import AirflowDagRunner, AirflowPipelineConfig

from utils import course_pipeline

LAYOUT = course_pipeline.Layout.for_run("penguins_airflow")

DAG = AirflowDagRunner(AirflowPipelineConfig(airflow_dag_config={
    "schedule": None,
    "start_date": datetime.datetime(2024, 1, 1),
    "catchup": False,
})).run(course_pipeline.create_pipeline(LAYOUT, os.environ.get("COURSE_PIPELINE_DATA") or None))

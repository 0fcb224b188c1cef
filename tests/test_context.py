"""utils.context: where the course context keeps its state, and its refusal to run outside IPython."""

import pytest

from utils import config, paths
from utils.context import RunRecord, course_context


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.WORKDIR_ENV, str(tmp_path))
    return tmp_path


def test_one_pipeline_root_and_metadata_store_under_the_work_folder(workdir):
    context = course_context()
    assert context.pipeline_name == config.PIPELINE_NAME
    assert context.pipeline_root == str(workdir / "pipelines" / config.PIPELINE_NAME)
    assert context.metadata_connection_config.sqlite.filename_uri == str(
        paths.metadata_path(config.PIPELINE_NAME))
    assert context.beam_pipeline_args == list(config.BEAM_PIPELINE_ARGS)


def test_fresh_forgets_earlier_artifacts(workdir):
    leftover = paths.pipeline_root(config.PIPELINE_NAME) / "CsvExampleGen" / "old"
    leftover.mkdir(parents=True)
    course_context()
    assert leftover.exists()
    course_context(fresh=True)
    assert not leftover.exists()


def test_run_outside_ipython_says_where_it_works(workdir):
    from tfx import v1 as tfx

    context = course_context()
    component = tfx.components.CsvExampleGen(input_base=str(workdir))
    with pytest.raises(RuntimeError, match="only works inside IPython/Jupyter"):
        context.run(component)


def test_run_records_read_like_a_log_line():
    assert str(RunRecord("CsvExampleGen", 7, "reused", 0.04)) == (
        "CsvExampleGen: reused a cached execution (execution 7) in 0.0 s")
    assert RunRecord("landing", 8, "ran", 2.5).reused is False


def test_beam_components_do_not_repackage_tfx_for_workers_the_direct_runner_never_starts(monkeypatch):
    """With only the DirectRunner flags, TFX copies its whole installed package to a new temp folder and
    builds an sdist of it at every Beam-based execution (seconds each, 42 MB left in /tmp). The course's
    Beam arguments name a worker image, which the in-process DirectRunner ignores, so nothing is built."""
    from tfx.utils import dependency_utils

    built = []
    monkeypatch.setattr(dependency_utils, "build_ephemeral_package", lambda: built.append(1) or "x.tar.gz")
    args = list(config.BEAM_PIPELINE_ARGS)
    assert dependency_utils.make_beam_dependency_flags(args) == args
    assert not built
    dependency_utils.make_beam_dependency_flags(["--direct_running_mode=in_memory"])
    assert built, "the monkeypatch no longer reaches TFX's repackaging: the test would prove nothing"

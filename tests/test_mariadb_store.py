"""ML Metadata on a private MariaDB server (utils/mariadb_store.py): the server starts on 127.0.0.1 and a free
port, is always stopped, and the whole course pipeline runs on it, with its lineage answered from it and a
re-run answered from TFX's cache."""

from __future__ import annotations

import pytest
from ml_metadata import metadata_store
from ml_metadata.proto import metadata_store_pb2 as mlmd

from utils import course_pipeline
from utils.mariadb_store import MariaDBServer


def test_the_server_serves_ml_metadata_on_loopback_and_is_stopped_even_on_failure(tmp_path):
    with pytest.raises(RuntimeError, match="a failing cell"):
        with MariaDBServer(tmp_path / "db") as server:
            process = server.process
            config = server.connection_config("probe")
            assert config.mysql.host == "127.0.0.1" and config.mysql.port not in (0, 3306)
            store = metadata_store.MetadataStore(config)
            kind = store.put_artifact_type(mlmd.ArtifactType(name="Probe"))
            [stored] = store.put_artifacts([mlmd.Artifact(type_id=kind, uri="/probe")])
            assert store.get_artifacts_by_id([stored])[0].uri == "/probe"
            raise RuntimeError("a failing cell")
    assert process.poll() is not None


@pytest.mark.pipeline_run
def test_the_course_pipeline_runs_on_mariadb_and_its_lineage_is_answered_there(tmp_path):
    layout = course_pipeline.Layout.for_run("penguins_mariadb", base=tmp_path / "run")
    with MariaDBServer(tmp_path / "db") as server:
        config = server.connection_config("penguins")
        course_pipeline.run_local(course_pipeline.create_pipeline(layout, metadata_config=config))
        store = metadata_store.MetadataStore(config)
        [pushed] = store.get_artifacts_by_type("PushedModel")
        assert pushed.custom_properties["pushed"].int_value == 1
        options = mlmd.LineageSubgraphQueryOptions
        upstream = store.get_lineage_subgraph(options(
            starting_artifacts=options.StartingNodes(filter_query=f"id = {pushed.id}"),
            max_num_hops=20, direction=options.UPSTREAM))
        type_names = {t.id: t.name for t in store.get_artifact_types()}
        found = {type_names[a.type_id] for a in upstream.artifacts}
        assert {"Examples", "Schema", "TransformGraph", "HyperParameters", "Model", "ModelBlessing",
                "InfraBlessing"} <= found
        first_run = len(store.get_executions())
        course_pipeline.run_local(course_pipeline.create_pipeline(layout, metadata_config=config))
        second = store.get_executions()[first_run:]
        cached = [e for e in second if e.last_known_state == mlmd.Execution.CACHED]
        assert len(cached) >= 10, [(e.type_id, e.last_known_state) for e in second]
        assert len(list(layout.serving.iterdir())) == 1


def test_without_mariadb_or_apt_the_error_says_what_to_install(tmp_path, monkeypatch):
    """An offline laptop without MariaDB: chapter 09's cell prints this message and the chapter goes on."""
    import shutil

    from utils import mariadb_store

    monkeypatch.setattr(mariadb_store, "UNPACKED", tmp_path / "nothing-unpacked")
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    with pytest.raises(mariadb_store.MariaDBError, match="apt-get install mariadb-server") as error:
        MariaDBServer(tmp_path / "db").start()
    assert "brew install mariadb" in str(error.value)

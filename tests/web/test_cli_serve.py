"""`talentgraph serve` is wired into the CLI with the documented options."""

from __future__ import annotations

from typer.testing import CliRunner

from talentgraph.cli import app


def test_serve_help_lists_the_options() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for option in ("--db", "--ops-db", "--host", "--port", "--secure-cookies"):
        assert option in result.output


def test_serve_has_a_workers_option() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert "--workers" in result.output
    assert CliRunner().invoke(app, ["serve", "--workers", "0"]).exit_code != 0


def test_a_worker_builds_its_app_from_the_environment(world: dict, monkeypatch) -> None:
    from fastapi.testclient import TestClient

    from talentgraph.web.app import WORKER_ENV, app_from_env

    monkeypatch.setenv(WORKER_ENV["db"], str(world["db"]))
    monkeypatch.setenv(WORKER_ENV["ops"], world["ops_url"])
    monkeypatch.setenv(WORKER_ENV["secure"], "0")
    monkeypatch.setenv("TALENTGRAPH_WEB_SECRET", "worker-secret")
    worker = app_from_env()
    assert worker.state.config.db_path == world["db"]
    assert worker.state.config.https_only() is False
    with TestClient(worker, base_url="http://127.0.0.1") as c:  # runs the start-up (warm)
        assert c.get("/login").status_code == 200
    assert worker.state.graph.search_engine() is not None
    assert worker.state.graph.profiles_ready()

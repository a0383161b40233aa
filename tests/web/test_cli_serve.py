"""`talentgraph serve` is wired into the CLI with the documented options."""

from __future__ import annotations

from typer.testing import CliRunner

from talentgraph.cli import app


def test_serve_help_lists_the_options() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for option in ("--db", "--ops-db", "--host", "--port", "--secure-cookies"):
        assert option in result.output


def test_serve_refuses_zero_workers_as_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["serve", "--workers", "0"], env={"COLUMNS": "200"})
    # a usage error (2), not any crash: the option's own range check said no
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--workers'" in result.output
    assert "greater than or equal to 1" in result.output


def test_serve_hands_its_options_to_uvicorn(world: dict, monkeypatch) -> None:
    """Several workers: uvicorn gets the factory and the workers read the environment."""
    import os

    import uvicorn

    from talentgraph.web.app import WORKER_ENV
    from talentgraph.web.config import SECRET_ENV

    for name in WORKER_ENV.values():  # serve sets them; monkeypatch restores them afterwards
        monkeypatch.setenv(name, "before")
    monkeypatch.setenv(SECRET_ENV, "the-secret-every-worker-shares")
    calls: list[tuple[object, dict]] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: calls.append((target, kw)))
    result = CliRunner().invoke(app, ["serve", "--db", str(world["db"]), "--ops-db",
                                      world["ops_url"], "--port", "8123", "--workers", "3",
                                      "--no-secure-cookies"])
    assert result.exit_code == 0, result.output
    ((target, kw),) = calls
    assert target == "talentgraph.web.app:app_from_env" and kw["factory"] is True
    assert (kw["workers"], kw["host"], kw["port"]) == (3, "127.0.0.1", 8123)
    assert os.environ[WORKER_ENV["db"]] == str(world["db"])
    assert os.environ[WORKER_ENV["secure"]] == "0"
    assert os.environ[WORKER_ENV["ops"]].startswith("sqlite:///")
    assert os.environ[SECRET_ENV] == "the-secret-every-worker-shares"
    # one worker: the app object itself, built here
    calls.clear()
    result = CliRunner().invoke(app, ["serve", "--db", str(world["db"]), "--ops-db",
                                      world["ops_url"], "--port", "8124"])
    assert result.exit_code == 0, result.output
    ((target, kw),) = calls
    assert target.state.config.db_path == world["db"] and kw["port"] == 8124
    assert "workers" not in kw


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

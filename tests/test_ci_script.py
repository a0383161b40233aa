"""The test harness itself: scripts/test.sh's throwaway PostgreSQL, and the switch that makes a
missing service fail the run in CI instead of skipping its tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from _pytest.outcomes import Failed, Skipped

import services

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "test.sh"


@pytest.mark.parametrize(("env", "required"), [
    ({}, set()),
    ({"CI": "true"}, {"postgres", "browser", "spark"}),
    ({"CI": "false"}, set()),
    ({"TALENTGRAPH_TEST_REQUIRE": "postgres"}, {"postgres"}),
    ({"TALENTGRAPH_TEST_REQUIRE": "postgres, browser"}, {"postgres", "browser"}),
])
def test_a_missing_service_fails_only_where_required(monkeypatch, env: dict,
                                                     required: set) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("TALENTGRAPH_TEST_REQUIRE", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    for service in services.SERVICES:
        outcome = Failed if service in required else Skipped
        with pytest.raises(outcome, match="is gone"):
            services.missing(service, f"{service} is gone")


def test_ci_run_requires_every_service() -> None:
    ci = (SCRIPT.parents[1] / ".ci" / "run").read_text()
    assert "export CI=true" in ci and "TALENTGRAPH_TEST_REQUIRE=postgres,browser,spark" in ci


@pytest.mark.slow
@pytest.mark.postgres
def test_the_script_brings_up_its_own_postgres_and_removes_it() -> None:
    """What scripts/test.sh does before pytest: initdb in a temp dir, trust on loopback, a
    free port, database `test`; after: the cluster stopped and its directory gone."""
    import shutil
    import tempfile

    # pytest's tmp_path is private to this user; run as root the script hands the cluster to
    # the postgres user, who must be able to enter the folder, as in a plain /tmp
    tmp_path = Path(tempfile.mkdtemp(prefix="tg-ci-", dir="/tmp"))
    tmp_path.chmod(0o755)
    try:
        _bring_up_and_down(tmp_path)
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


def _bring_up_and_down(tmp_path: Path) -> None:
    found = subprocess.run(["bash", "-c", f"source {SCRIPT}; pg_bindir"], capture_output=True,
                           text=True)
    if found.returncode != 0:
        services.missing("postgres", "no PostgreSQL server binaries (initdb) on this machine")
    check = f"""
    source {SCRIPT}
    trap stop_postgres EXIT
    start_postgres >/dev/null
    echo "$TALENTGRAPH_TEST_PG"
    echo "$PG_DIR"
    psql "${{TALENTGRAPH_TEST_PG/+psycopg/}}" -tAc "SELECT current_database()"
    """
    run = subprocess.run(["bash", "-c", check], capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "TMPDIR": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    url, pg_dir, database = run.stdout.split()
    assert url.startswith("postgresql+psycopg://postgres@127.0.0.1:") and database == "test"
    assert ":5432/" not in url  # its own port, whatever else runs on the machine
    assert pg_dir.startswith(str(tmp_path)) and not Path(pg_dir).exists()

"""An erasure reaches every read of the analytical store (person, cohort, flows, source, dossier,
exports, the web app), a server already running honours it without a restart, and a rebuild
keeps the person out. The erasure runs from Python, without the CLI (no hook registered by an
import), on a store of its own built by the real pipeline from the hand-written world."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from talentgraph import pipeline
from talentgraph.cli import app as cli_app
from talentgraph.ops import candidates, erasure, users
from talentgraph.ops.db import OpsStore
from talentgraph.ops.models import AuditEntry
from talentgraph.web import WebConfig, create_app

from .conftest import LOCAL, login
from .world import write_world

WHO, OR_ID = "Gus Hale", "~Gus_Hale1"
ORCID, DBLP = "0000-0002-1825-0097", "homepages/h/GusHale"
PW = "erasure-test-password"


def _with_ids(corpus: Path) -> Path:
    """Give Gus Hale an ORCID and a DBLP id on every paper (parallel fields, like the corpus)."""
    for path in corpus.rglob("*.json"):
        records = json.loads(path.read_text(encoding="utf-8"))
        for r in records:
            ids = r["authorids"].split(";")
            r["orcid"] = ";".join(ORCID if i == OR_ID else "" for i in ids)
            r["dblp"] = ";".join(DBLP if i == OR_ID else "" for i in ids)
        path.write_text(json.dumps(records), encoding="utf-8")
    return corpus


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli_app, list(args))
    assert "Traceback" not in result.output, result.output
    return result.output


def _shows(text: str) -> list[str]:
    return [s for s in (WHO, OR_ID, ORCID, DBLP, "Gus_Hale") if s.lower() in text.lower()]


def _cli_reads(db: Path, tmp: Path, pid: str) -> dict[str, str]:
    """What every CLI read path prints (the exports as the files they write)."""
    out = {
        "person id": _cli("person", pid, "--db", str(db), "--json"),
        "person name": _cli("person", WHO, "--db", str(db), "--json"),
        "person orcid": _cli("person", ORCID, "--db", str(db), "--json"),
        "cohort": _cli("cohort", "--org", "Anthropic", "--from", "2019", "--to", "2024",
                       "--db", str(db), "--json"),
        "flows": _cli("flows", "--from", "2019", "--to", "2024", "--db", str(db), "--json"),
        "source": _cli("source", "graph neural networks", "--db", str(db), "--json"),
        "dossier": _cli("dossier", pid, "--db", str(db)),
    }
    for name in ("moves", "mentions"):
        target = tmp / f"{name}.csv"
        _cli("export", name, "--db", str(db), "--out", str(target))
        out[f"export {name}"] = target.read_text(encoding="utf-8")
    return out


@pytest.fixture
def erasure_world(tmp_path: Path) -> dict:
    corpus = _with_ids(write_world(tmp_path / "corpus"))
    db = tmp_path / "graph.duckdb"
    pipeline.build(db, [corpus])
    con = duckdb.connect(str(db), read_only=True)
    pid, orcids, dblps = con.execute("SELECT person_id, orcids, dblp_ids FROM persons "
                                     "WHERE canonical_name = ?", [WHO]).fetchone()
    con.close()
    assert ORCID in orcids and DBLP in dblps  # the world carries the ids the test looks for
    ops = OpsStore(f"sqlite:///{tmp_path / 'ops.sqlite'}", create=True)
    with ops.session() as s:
        admin = users.actor_for(users.create_first_admin(s, "admin", PW))
        exe = users.actor_for(users.create_user(s, admin, "executive", PW, "executive"))
        cid = candidates.create_candidate(s, exe, WHO, "gus@example.org", person_id=pid).id
    yield {"db": db, "corpus": corpus, "ops": ops, "pid": pid, "cid": cid, "admin": admin}
    ops.dispose()


def test_erasure_reaches_every_read_path_a_running_server_and_a_rebuild(
        erasure_world: dict, tmp_path: Path) -> None:
    w = erasure_world
    db, pid = w["db"], w["pid"]
    before = _cli_reads(db, tmp_path, pid)
    for name in ("person id", "person orcid", "cohort", "source", "dossier", "export mentions"):
        assert _shows(before[name]), f"{name} should show the person before the erasure"

    app = create_app(WebConfig(db_path=db, secret_key="e" * 20), w["ops"])
    with TestClient(app, base_url="http://127.0.0.1", client=LOCAL) as web:
        login(web, "executive", PW)
        assert web.get(f"/api/people/{pid}").status_code == 200
        assert WHO in web.get("/api/search?q=graph+neural+networks").text

        with w["ops"].session() as s:  # from Python: no CLI import, the hooks are explicit
            result = erasure.erase_candidate(s, w["admin"], w["cid"], graph_db=db)
        assert "analytical_store" in result["hooks"]
        with w["ops"].session() as s:
            entry = s.scalars(select(AuditEntry)
                              .where(AuditEntry.action == "candidate.erase")).one()
            assert entry.details["hooks"] == ["analytical_store"]

        # the running server, without a restart
        assert web.get(f"/api/people/{pid}").status_code == 404
        for url in ("/api/search?q=graph+neural+networks", f"/api/people?q={WHO}",
                    "/api/cohort?org=Anthropic&year_from=2019&year_to=2024",
                    "/api/flows?year_from=2019&year_to=2024", "/api/dashboard",
                    f"/people/{pid}", "/search?q=graph+neural+networks"):
            r = web.get(url)
            assert not _shows(r.text), (url, r.status_code, _shows(r.text))
        assert web.get(f"/api/people/{pid}/dossier").status_code == 404

    from talentgraph.web.graph import GraphStore

    fresh = GraphStore(db)  # a server started after the erasure still uses the profiles table
    try:
        assert fresh.profiles_ready()
    finally:
        fresh.close()
    after = _cli_reads(db, tmp_path, pid)
    for name, text in after.items():
        assert not _shows(text), (name, _shows(text))

    pipeline.build(db, [w["corpus"]])  # a rebuild keeps the person out
    rebuilt = _cli_reads(db, tmp_path, pid)
    for name, text in rebuilt.items():
        assert not _shows(text), ("after rebuild", name, _shows(text))
    raw = duckdb.connect(str(db), read_only=True)  # the search index itself, not only the views
    try:
        assert raw.execute("SELECT count(*) FROM main.sourcing_people WHERE person_id = ?",
                           [pid]).fetchone()[0] == 0
    finally:
        raw.close()
    listed = (db.parent / (db.name + ".erased"))
    assert listed.stat().st_mode & 0o777 == 0o600
    assert not _shows(listed.read_text())  # the list names nobody in clear

"""The command line's small manners (issue #15, item 11): ids printed whole, --version, a file
that is no store named as such, and the dossier reading our organisation like the web does."""

from __future__ import annotations

import io
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from talentgraph import __version__, pipeline
from talentgraph.cli import app
from talentgraph.cli.main import main
from talentgraph.errors import StoreError
from talentgraph.ops import settings, users
from talentgraph.ops.db import OpsStore

from .world import write_world

runner = CliRunner()


def invoke(*args: str, env: dict | None = None):
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def world_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli_world")
    db = root / "world.duckdb"
    pipeline.build(db, [write_world(root / "corpus")])
    return db


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"talentgraph {__version__}"


def test_person_table_keeps_ids_whole_in_a_narrow_terminal(world_db: Path, monkeypatch) -> None:
    from rich.console import Console

    from talentgraph.cli import common

    narrow = Console(width=70, file=io.StringIO(), force_terminal=False)
    monkeypatch.setattr(common, "console", narrow)
    con = duckdb.connect(str(world_db), read_only=True)
    pid = con.execute("SELECT person_id FROM persons WHERE canonical_name = 'Bo Chen'"
                      ).fetchone()[0]
    con.close()
    result = invoke("person", "Bo Chen", "--db", str(world_db))
    assert result.exit_code == 0, result.output
    out = narrow.file.getvalue()
    assert pid in out  # not "p9e62cfe…"
    assert "~Bo_Chen3" in out  # the OpenReview id
    assert "deepmind" in out.split("organisations")[1].split()  # org ids too


@pytest.mark.parametrize("name,content", [("people.csv", b"name,email\nAda,ada@x.org\n"),
                                          ("notes.bin", b"just some bytes, not a database")])
def test_a_file_that_is_no_store_is_named_so(tmp_path: Path, name: str, content: bytes) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    for args in (["person", "X"], ["stats"], ["source", "diffusion"], ["dossier", "X"]):
        with pytest.raises(StoreError, match=f"{name} is no talentgraph store"):
            invoke(*args, "--db", str(bad))
    assert bad.read_bytes() == content  # and left as it was


def test_a_duckdb_file_talentgraph_never_built_is_no_store(tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE t (a INT)").close()
    with pytest.raises(StoreError, match="never built"):
        invoke("stats", "--db", str(other))


def test_main_prints_one_line_not_a_traceback(tmp_path: Path, capsys, monkeypatch) -> None:
    bad = tmp_path / "some.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    monkeypatch.setattr("sys.argv", ["talentgraph", "person", "X", "--db", str(bad)])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "no talentgraph store" in err and "Traceback" not in err


def test_cli_dossier_reads_the_organisation_policy_like_the_web(world_db: Path, tmp_path: Path,
                                                                monkeypatch) -> None:
    monkeypatch.delenv("TALENTGRAPH_OUR_ORGS", raising=False)
    ops_url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    store = OpsStore(ops_url, create=True)
    with store.session() as s:
        admin = users.create_first_admin(s, "root", "pass-root-1234", "Root", "r@x.example")
        users.create_user(s, users.actor_for(admin), "erin", "pass-erin-1234", "executive")
    with store.session() as s:
        erin = users.actor_for(users.get_user(s, "erin"))
        settings.set_setting(s, erin, "organisation", {"name": "Google DeepMind",
                                                       "org_ids": ["google-deepmind"]})
    store.dispose()
    out = invoke("dossier", "Bo Chen", "--db", str(world_db), "--ops-db", ops_url,
                 "--format", "json").stdout
    data = json.loads(out)
    assert [o["query"] for o in data["ours"]] == ["google-deepmind"]
    assert any(c["ours"] for c in data["coauthors"])  # Eve Fong is at Google DeepMind
    md = invoke("dossier", "Bo Chen", "--db", str(world_db), "--ops-db", ops_url).stdout
    assert "Our organisation(s): google-deepmind" in md
    # without a policy (a store never created) it says how to set one, in words, not flags
    md = invoke("dossier", "Bo Chen", "--db", str(world_db), "--ops-db",
                str(tmp_path / "none.sqlite")).stdout
    assert "No organisation of ours is set" in md and "--ours" not in md
    assert not (tmp_path / "none.sqlite").exists()

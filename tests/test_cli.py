"""The command line, the way a user meets it: build, stats, errors, download."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from local_http import LocalServer
from talentgraph import config
from talentgraph.cli import app

runner = CliRunner()


def invoke(*args: str, env: dict | None = None):
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


def test_build_then_stats_as_json(corpus, tmp_path):
    db = tmp_path / "tg.duckdb"
    result = invoke("build", "--paperlists", str(corpus), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "Ingested 6 files" in result.output
    stats = json.loads(invoke("stats", "--db", str(db), "--json").stdout)
    assert stats["totals"]["files"] == 6
    assert stats["totals"]["records_read"] == 34
    assert stats["totals"]["papers"] == 33
    assert {r["family"] for r in stats["by_family"]} >= {"A", "C", "E", "H", "I"}
    assert any(r["reason"] == "record has no authors" for r in stats["quarantine"])


def test_stats_table_names_every_venue(corpus, tmp_path):
    db = tmp_path / "tg.duckdb"
    invoke("build", "--paperlists", str(corpus), "--db", str(db))
    out = invoke("stats", "--db", str(db), "--files").stdout
    for venue in ("iclr", "nips", "icml", "icra", "cvpr", "acl"):
        assert venue in out


def test_missing_store_is_a_clear_error_not_a_traceback(tmp_path):
    from talentgraph.errors import StoreError

    with pytest.raises(StoreError, match="run `talentgraph build` first"):
        invoke("stats", "--db", str(tmp_path / "nope.duckdb"))



def test_every_export_names_a_file_it_cannot_write(corpus, tmp_path):
    """moves, spells and mentions alike: an --out that is a folder, or under a file, is a
    StoreError naming it (spells and mentions raised a bare OSError from the file system)."""
    from talentgraph.errors import StoreError

    db = tmp_path / "tg.duckdb"
    assert invoke("build", "--paperlists", str(corpus), "--db", str(db)).exit_code == 0
    folder = tmp_path / "a folder"
    folder.mkdir()
    blocker = tmp_path / "a file"
    blocker.write_text("x")
    for what in ("moves", "spells", "mentions"):
        for out in (folder, blocker / f"{what}.csv"):
            with pytest.raises(StoreError, match="cannot write"):
                invoke("export", what, "--db", str(db), "--out", str(out))
        # the half-written file beside the target is gone too
        assert not (tmp_path / "a folder.part").exists()
        good = tmp_path / f"{what}.csv"
        result = invoke("export", what, "--db", str(db), "--out", str(good))
        assert f"{what} written to" in result.stderr
        assert good.read_text(encoding="utf-8").startswith("person_id," if what != "mentions"
                                                           else "source_file,")


def test_no_corpus_says_where_to_get_it(tmp_path, monkeypatch):
    monkeypatch.delenv(config.PAPERLISTS_ENV, raising=False)
    monkeypatch.setattr(config, "cache_dir", lambda: tmp_path / "cache")
    from talentgraph.errors import CorpusNotFoundError

    with pytest.raises(CorpusNotFoundError) as exc:
        config.find_paperlists(None, cwd=tmp_path / "a" / "b")
    assert "papercopilot/paperlists" in str(exc.value)
    assert "talentgraph download" in str(exc.value)


def test_corpus_from_the_environment_variable(corpus, monkeypatch):
    monkeypatch.setenv(config.PAPERLISTS_ENV, str(corpus))
    assert config.find_paperlists(None) == [corpus]


def test_main_turns_our_errors_into_one_line(tmp_path, capsys, monkeypatch):
    from talentgraph import cli

    monkeypatch.setattr("sys.argv", ["talentgraph", "stats", "--db", str(tmp_path / "x.duckdb")])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err


def _tarball() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, body in [("paperlists-main/iclr/iclr2020.json",
                            b'[{"title": "T", "author": "A B"}]'),
                           ("paperlists-main/README.md", b"readme"),
                           ("paperlists-main/tools/x.py", b"print(1)")]:
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return buf.getvalue()


def test_download_fetches_the_corpus_over_http(tmp_path):
    body = _tarball()
    with LocalServer(lambda _path, _query, _headers: (200, {}, body)) as server:
        url = f"{server.url}/paperlists.tar.gz"
        dest = tmp_path / "cache" / "paperlists"
        result = invoke("download", "--url", url, "--dest", str(dest))
        assert result.exit_code == 0, result.output
        files = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
        assert files == ["iclr/iclr2020.json.gz"]
        db = tmp_path / "tg.duckdb"
        assert invoke("build", "--paperlists", str(dest), "--db", str(db)).exit_code == 0


def test_download_reports_http_errors(tmp_path):
    from talentgraph.errors import SourceError

    with pytest.raises(SourceError, match="downloading"):
        invoke("download", "--url", "http://127.0.0.1:9/none.tar.gz", "--dest", str(tmp_path / "d"))


def test_build_reports_unreadable_fixture_path(tmp_path):
    from talentgraph.errors import CorpusNotFoundError

    with pytest.raises(CorpusNotFoundError, match="not found"):
        invoke("build", "--paperlists", str(tmp_path / "missing"), "--db", str(tmp_path / "x"))


def test_fixture_dir_is_used_as_given(corpus: Path):
    assert config.find_paperlists([corpus]) == [corpus]


def test_build_shows_progress_lines_and_what_it_skipped(corpus, tmp_path):
    """Not on a terminal: plain progress lines per stage, then what was redone and skipped;
    `--full` runs every stage again."""
    db = tmp_path / "tg.duckdb"
    first = invoke("build", "--paperlists", str(corpus), "--db", str(db))
    assert "[orgs]" in first.stderr and "[index]" in first.stderr
    assert "redone: orgs, people, positions, careers, profiles, index; skipped: nothing" in \
        " ".join(first.stdout.split())
    again = invoke("build", "--paperlists", str(corpus), "--db", str(db), "--json")
    summary = json.loads(again.stdout)["summary"]
    assert summary["redone"] == []
    assert summary["skipped"] == ["orgs", "people", "positions", "careers", "profiles", "index"]
    forced = json.loads(invoke("build", "--paperlists", str(corpus), "--db", str(db), "--full",
                               "--json").stdout)
    assert forced["summary"]["redone"] == ["orgs", "people", "positions", "careers", "profiles",
                                           "index"]
    assert {r["status"] for r in forced["runs"].values()} == {"ran"}

"""The ROR connector: both schemas, damaged lines and fields in the quarantine, atomic re-runs."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pytest

from talentgraph import config
from talentgraph.errors import CorpusNotFoundError, SourceError
from talentgraph.sources import ror
from talentgraph.store import db

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ror" / "ror-records.jsonl"


def gz_fixture(tmp_path: Path) -> Path:
    path = tmp_path / "ror-records.jsonl.gz"
    path.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    return path


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    c = db.connect(tmp_path / "s.duckdb")
    yield c
    c.close()


def test_both_schemas_are_read(tmp_path: Path) -> None:
    dump = ror.parse(gz_fixture(tmp_path))
    by_id = {r.ror_id: r for r in dump.records}
    assert dump.records_read == 21 and len(dump.records) == 19 and dump.status == "ok"
    v1 = by_id["0tgfix002"]  # schema v1: name, labels, acronyms, links, addresses, country
    assert (v1.name, v1.schema_version, v1.country, v1.city, v1.types) == (
        "Ruhr University Bochum", "v1", "DE", "Bochum", ["education"])
    assert ("Ruhr-Universität Bochum", "label", "de") in v1.names
    assert ("RUB", "acronym", None) in v1.names and v1.domains == ["ruhr-uni-bochum.de"]
    v2 = by_id["0tgfix001"]  # schema v2: names with types and lang, locations, domains
    assert (v2.name, v2.schema_version, v2.country, v2.city) == (
        "Universidade Federal do Rio Grande do Sul", "v2.1", "BR", "Porto Alegre")
    assert ("Federal University of Rio Grande do Sul", "label", "en") in v2.names
    assert v2.domains == ["ufrgs.br"]
    assert by_id["0tgfix014"].status == "withdrawn"
    assert by_id["0tgfix014"].relations == [("successor", "0tgfix013")]
    assert by_id["0tgfix008"].relations == [("parent", "0tgfix009")]
    assert by_id["0tgfix018"].domains == ["google.com"]  # from the v2 website link


def test_damaged_lines_and_fields_are_quarantined_with_file_record_and_field(
        tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    out = ror.ingest(con, gz_fixture(tmp_path))
    assert out["outcome"] == "ingested" and out["organisations"] == 19
    rows = con.execute("SELECT source_file, level, record_index, record_id, field, reason "
                       "FROM quarantine ORDER BY record_index, field").fetchall()
    assert {r[0] for r in rows} == {"ror/ror-records.jsonl.gz"}
    broken = [r for r in rows if r[2] == 6]
    assert broken and broken[0][1] == "record" and "not a complete JSON record" in broken[0][5]
    no_id = [r for r in rows if r[4] == "id"]
    assert no_id[0][1] == "record" and no_id[0][2] == 20
    damaged = {(r[3], r[4], r[1]) for r in rows if r[3] == "0tgfix020"}
    assert damaged == {("0tgfix020", "types", "field"), ("0tgfix020", "names", "field"),
                       ("0tgfix020", "status", "field")}
    # The record with damaged fields is kept, without them.
    assert con.execute("SELECT status, types FROM ror_orgs WHERE ror_id = '0tgfix020'"
                       ).fetchone() == ("active", [])
    assert con.execute("SELECT count(*) FROM ror_orgs").fetchone()[0] == 19


def test_rerun_is_a_no_op_and_a_new_dump_replaces_the_old(
        tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    path = gz_fixture(tmp_path)
    ror.ingest(con, path)
    assert ror.ingest(con, path)["outcome"] == "unchanged"
    assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 5
    # Another dump (plain JSON Lines, two records) replaces the first one whole.
    other = tmp_path / "other.jsonl"
    other.write_text("\n".join(FIXTURE.read_text().splitlines()[:2]) + "\n")
    out = ror.ingest(con, other)
    assert out["outcome"] == "ingested" and out["organisations"] == 2
    assert con.execute("SELECT count(*) FROM ror_orgs").fetchone()[0] == 2
    assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
    assert con.execute("SELECT source_file FROM sources WHERE kind = 'ror'").fetchall() == [
        ("ror/other.jsonl",)]


def test_truncated_gzip_keeps_the_complete_lines(tmp_path: Path,
                                                 con: duckdb.DuckDBPyConnection) -> None:
    data = gzip.compress(FIXTURE.read_bytes())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    out = ror.ingest(con, path)
    assert out["status"] == "partial" and 0 < out["organisations"] < 19
    assert con.execute("SELECT count(*) FROM quarantine WHERE level = 'file' AND reason "
                       "LIKE '%truncated gzip%'").fetchone()[0] == 1


def test_missing_file_is_a_clear_error(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(SourceError, match="no ROR dump at"):
        ror.ingest(con, tmp_path / "nope.jsonl.gz")


def test_find_ror_option_environment_and_shared_folder(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    dump = gz_fixture(tmp_path)
    assert config.find_ror(dump) == dump
    with pytest.raises(CorpusNotFoundError, match="--ror file not found"):
        config.find_ror(tmp_path / "missing.gz")
    assert config.find_ror(Path("none")) is None
    monkeypatch.setenv("TALENTGRAPH_ROR", str(dump))
    assert config.find_ror() == dump
    monkeypatch.setenv("TALENTGRAPH_ROR", str(tmp_path / "gone.gz"))
    with pytest.raises(CorpusNotFoundError, match="TALENTGRAPH_ROR"):
        config.find_ror()
    monkeypatch.delenv("TALENTGRAPH_ROR")
    shared = tmp_path / "shared" / "data" / "ror"
    shared.mkdir(parents=True)
    (shared / "ror-records.jsonl.gz").write_bytes(dump.read_bytes())
    work = tmp_path / "work" / "deeper"
    work.mkdir(parents=True)
    assert config.find_ror(cwd=work) == shared / "ror-records.jsonl.gz"
    assert config.find_ror(cwd=Path("/")) is None

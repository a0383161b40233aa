"""The scale benchmark's copy generator (benchmarks/scale_copies.py) on the fixture corpus: copies
are other people with other ids in the same record formats, and a 2x corpus builds into twice the
papers, mentions and persons with no person in two copies."""

import gzip
import importlib.util
import json
import sys
from pathlib import Path

import pytest

from corpus_helpers import PAPERLISTS
from talentgraph import pipeline
from talentgraph.resolve.names import parse
from talentgraph.store import db

PATH = Path(__file__).parents[2] / "benchmarks" / "scale_copies.py"
spec = importlib.util.spec_from_file_location("scale_copies_bench", PATH)
copies = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = copies  # its dataclass looks its module up there
spec.loader.exec_module(copies)

ID_COLUMNS = ("openreview_id", "email", "acl_id", "ieee_id", "orcid", "dblp", "google_scholar")
KEPT_COLUMNS = ("raw_affiliation", "aff_norm", "aff_country", "affiliation_domain",
                "email_domain", "role", "year", "position")


@pytest.mark.parametrize(("raw", "expected"), [
    ("Yann LeCun", "Yann LeCunzqa"),
    ("Zhu, Jun-Yan", "Zhuzqa, Jun-Yan"),
    ("J.-Y. Zhu", "J.-Y. Zhuzqa"),
    ("Jun-Yan Zhu Jr.", "Jun-Yan Zhuzqa Jr."),
    ("Laurens van der Maaten", "Laurens van der Maatenzqa"),
    ("王伟", "Wang Weizqa"),  # read as 'wang wei': folded to ASCII, then suffixed
    (" Ivan Petrov", " Ivan Petrovzqa"),  # the separator's spaces are kept
])
def test_a_copy_changes_only_the_family_name(raw: str, expected: str) -> None:
    new, _ = copies.perturb_name(raw, "zqa")
    assert new == expected
    a, b = parse(raw), parse(new)
    assert (b.given, b.middle, b.given_is_initial) == (a.given, a.middle, a.given_is_initial)
    assert b.family == a.family + "zqa"


def test_person_ids_keep_their_kind_and_differ() -> None:
    _, word = copies.perturb_name("Yang Liu", "zqa")
    assert copies.perturb_id("~Yang_Liu1", "zqa", 1) == "~Yang_Liuzqa1"
    assert copies.perturb_id("yl@cmu.edu", "zqa", 1) == "ylzqa@cmu.edu"
    assert copies.perturb_id("/37086936234", "zqa", 2) == "/9237086936234"
    # the slug keeps naming the (new) name, and stays a prefix of its disambiguated variant
    assert copies.perturb_id("/y/yang-liu/", "zqa", 1, word) == "/y/yang-liuzqa/"
    assert copies.perturb_id("/y/yang-liu-icsi/", "zqa", 1, word) == "/y/yang-liuzqa-icsi/"
    assert copies.perturb_id("0000-0002-1825-0097", "zqa", 3) == "3000-0002-1825-0097"
    assert copies.perturb_id("", "zqa", 1) == ""


def _records(corpus: Path) -> dict[str, list]:
    out = {}
    for path in sorted(corpus.rglob("*.json*")):
        if path.name == copies.MANIFEST:
            continue
        data = path.read_bytes()
        out[path.name] = json.loads(gzip.decompress(data) if path.suffix == ".gz" else data)
    return out


def test_copies_keep_the_record_formats(tmp_path: Path) -> None:
    dest = tmp_path / "x3"
    manifest = copies.make_corpus(PAPERLISTS, dest, 3)
    original, tripled = _records(PAPERLISTS), _records(dest)
    assert tripled.keys() == original.keys()
    assert manifest["names_not_suffixed"] == 0
    for name, recs in original.items():
        n = manifest["files"][name]
        assert n == len(recs) and len(tripled[name]) == 3 * n
        assert tripled[name][:n] == recs  # the original first, unchanged
        for c in (1, 2):
            for a, b in zip(recs, tripled[name][c * n:(c + 1) * n], strict=True):
                if not isinstance(a, dict):
                    assert b == a
                    continue
                assert list(b) == list(a)
                assert [type(v) for v in b.values()] == [type(v) for v in a.values()]
                for f in ("id", "ssid", "pid", "authorids"):
                    if isinstance(a.get(f), str) and a[f].strip():
                        assert b[f] != a[f]
                assert b.get("title") == a.get("title") and b.get("aff") == a.get("aff")


def _mentions(db_path: Path) -> list[dict]:
    con = db.connect(db_path, read_only=True)
    try:
        cur = con.execute("""
            SELECT m.*, p.record_index, p.title, p.venue, mp.person_id FROM mentions m
              JOIN papers p USING (paper_id)
              JOIN mention_person mp ON mp.paper_id = m.paper_id AND mp.position = m.position
             ORDER BY m.source_file, p.record_index, m.position""")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def _build(corpus: Path, db_path: Path) -> pipeline.BuildReport:
    return pipeline.build(db_path, [corpus], stages=["orgs", "people"])


def test_a_2x_corpus_builds_into_twice_the_people(tmp_path: Path) -> None:
    one, two = tmp_path / "x1", tmp_path / "x2"
    copies.make_corpus(PAPERLISTS, one, 1)
    manifest = copies.make_corpus(PAPERLISTS, two, 2)
    r1 = _build(one, tmp_path / "x1.duckdb")
    r2 = _build(two, tmp_path / "x2.duckdb")
    for key in ("papers", "mentions"):
        assert r2.stages["ingest"][key] == 2 * r1.stages["ingest"][key] > 0
    assert r2.stages["people"]["persons"] == 2 * r1.stages["people"]["persons"]
    found = copies.spanning_persons(tmp_path / "x2.duckdb", manifest["files"])
    assert found["persons_spanning_copies"] == 0
    assert found["persons_in_copy_0"] == found["persons_in_copy_1"]
    # each mention of copy 1 is its original's mention with the family name and ids changed
    rows = _mentions(tmp_path / "x2.duckdb")
    by_key = {(m["source_file"], m["record_index"], m["position"]): m for m in rows}
    pairs = 0
    for m in rows:
        n = manifest["files"][m["source_file"]]
        if m["record_index"] >= n:
            continue
        c = by_key[(m["source_file"], m["record_index"] + n, m["position"])]
        pairs += 1
        assert c["paper_id"] != m["paper_id"] and c["person_id"] != m["person_id"]
        assert (c["title"], c["venue"]) == (m["title"], m["venue"])
        assert parse(c["raw_name"]).family == parse(m["raw_name"]).family + "zqa"
        for col in ID_COLUMNS:
            assert (c[col] is None) == (m[col] is None), col
            assert c[col] is None or c[col] != m[col], col
        for col in KEPT_COLUMNS:
            assert c[col] == m[col], col
    assert pairs == len(rows) // 2


def test_the_check_sees_copies_that_merge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    """Copies with their names kept (only ids changed) merge with the originals: the check that
    the benchmark reports is not vacuous."""
    monkeypatch.setattr(copies, "perturb_name", lambda raw, suffix, stats=None: (raw, None))
    two = tmp_path / "x2"
    manifest = copies.make_corpus(PAPERLISTS, two, 2)
    _build(two, tmp_path / "x2.duckdb")
    assert copies.spanning_persons(tmp_path / "x2.duckdb",
                                   manifest["files"])["persons_spanning_copies"] > 0

"""The build as a whole: deterministic (byte-identical contract exports), skipping what did not
change, and incremental builds equal to builds from scratch (issue #17)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from corpus_helpers import PAPERLISTS
from talentgraph import pipeline
from talentgraph.careers.export import export_moves
from talentgraph.resolve.people.query import export_mentions
from talentgraph.store import db
from talentgraph.store import fingerprints as fp
from talentgraph.store.compare import build_meaning
from web.world import write_world

# Tables whose content holds the time of the build, not what it was built from.
_TIMED = {"sourcing_meta", "stage_fingerprints"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture corpus plus the web tests' six ICLR years (moves, namesakes, coauthors)."""
    root = tmp_path_factory.mktemp("corpus") / "paperlists"
    shutil.copytree(PAPERLISTS, root)
    return write_world(root)


def _outputs() -> list[str]:
    return sorted({t for s in pipeline.stage_specs() for t in s.writes} - _TIMED)


def _exports(db_path: Path, out: Path) -> dict[str, bytes]:
    con = db.connect(db_path, read_only=True)
    try:
        export_mentions(con, out / "mentions.csv")
        export_moves(con, out / "moves.csv")
        contents = {t: fp.content_fingerprint(con, t) for t in _outputs()}
    finally:
        con.close()
    return {"export mentions": (out / "mentions.csv").read_bytes(),
            "export moves": (out / "moves.csv").read_bytes(),
            **{f"table {t}": c.encode() for t, c in contents.items()}}


def _reverse_rows(db_path: Path) -> None:
    """The same ingested rows in the opposite physical order (what a different thread schedule
    or ingest order gives): a stage that depends on row order answers differently."""
    con = duckdb.connect(str(db_path))
    try:
        for table, key in (("mentions", "paper_id DESC, position DESC"),
                           ("papers", "paper_id DESC")):
            con.execute(f"CREATE TEMP TABLE _rev AS SELECT * FROM {table} ORDER BY {key}")
            con.execute(f"DELETE FROM {table}")
            con.execute(f"INSERT INTO {table} SELECT * FROM _rev")
            con.execute("DROP TABLE _rev")
    finally:
        con.close()


def test_same_inputs_give_identical_exports(corpus: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENTGRAPH_BUILD_THREADS", "1")
    pipeline.build(tmp_path / "a.duckdb", [corpus])
    monkeypatch.setenv("TALENTGRAPH_BUILD_THREADS", "4")
    pipeline.build(tmp_path / "b.duckdb", [corpus], stages=[])  # ingest only
    _reverse_rows(tmp_path / "b.duckdb")
    pipeline.build(tmp_path / "b.duckdb", [corpus])
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = _exports(tmp_path / "a.duckdb", tmp_path / "a"), _exports(tmp_path / "b.duckdb",
                                                                      tmp_path / "b")
    assert a["export moves"].count(b"\n") > 3  # the corpus has moves to compare
    assert [k for k in a if a[k] != b[k]] == []


def test_rebuild_skips_what_did_not_change(corpus: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    first = pipeline.build(path, [corpus])
    assert {r.status for n, r in first.runs.items() if n != "ingest"} == {"ran"}
    (tmp_path / "1").mkdir()
    before = _exports(path, tmp_path / "1")

    again = pipeline.build(path, [corpus])
    assert [n for n, r in again.runs.items() if r.status == "skipped"] == \
        ["orgs", "people", "positions", "careers", "profiles", "index"]
    assert again.stages["careers"]["moves"] == first.stages["careers"]["moves"]
    assert again.summary()["redone"] == []

    # a stage whose table was changed behind its back runs again, and only it
    con = db.connect(path)
    con.execute("DELETE FROM person_profiles WHERE person_id IN "
                "(SELECT person_id FROM person_profiles LIMIT 1)")
    con.close()
    third = pipeline.build(path, [corpus])
    assert third.summary()["redone"] == ["profiles"]

    forced = pipeline.build(path, [corpus], full=True)
    assert forced.summary()["skipped"] == []
    (tmp_path / "2").mkdir()
    assert _exports(path, tmp_path / "2") == before


def test_an_erasure_reruns_the_index_once_not_on_every_build(corpus: Path,
                                                             tmp_path: Path) -> None:
    """An erasure is re-applied to the index after each build; doing so must leave the index's
    inputs as they were, or every later build would redo the index."""
    from talentgraph.store import suppress

    path = tmp_path / "s.duckdb"
    pipeline.build(path, [corpus])
    con = db.connect(path, read_only=True)
    pid = con.execute("SELECT person_id FROM persons ORDER BY person_id LIMIT 1").fetchone()[0]
    suppress.add(path, suppress.identifiers(con, pid))
    con.close()
    first = pipeline.build(path, [corpus])  # removes the person from the index built before
    assert sum(first.stages["erased"].values()) > 0
    assert pipeline.build(path, [corpus]).summary()["redone"] == ["index"]  # keeps them out
    again = pipeline.build(path, [corpus])
    assert again.summary()["redone"] == [] and sum(again.stages["erased"].values()) == 0


def test_new_data_reruns_the_stages_that_read_it(corpus: Path, tmp_path: Path) -> None:
    part = tmp_path / "part"
    shutil.copytree(corpus, part)
    (part / "iclr" / "iclr2024.json").unlink()
    path = tmp_path / "s.duckdb"
    pipeline.build(path, [part])
    shutil.copy(corpus / "iclr" / "iclr2024.json", part / "iclr" / "iclr2024.json")
    report = pipeline.build(path, [part])
    assert report.stages["ingest"]["ingested"] == 1
    assert report.summary()["redone"] == ["orgs", "people", "positions", "careers", "profiles",
                                          "index"]


Partition = tuple[set[frozenset[str]], list[tuple[str, ...]]]


def _partition(db_path: Path, out: Path) -> Partition:
    """The mentions grouped into persons, and the moves with each person named by their
    smallest mention key (person ids may differ: an incremental build keeps earlier ids)."""
    meaning = build_meaning(db_path, out)
    return meaning.partition, meaning.moves


def _drop_last_authors(path: Path) -> None:
    """A changed file: every paper loses its last author (mentions gone, blocks smaller)."""
    records = json.loads(path.read_text())
    for r in records:
        for field in ("author", "aff", "email", "authorids"):
            if isinstance(r.get(field), str) and ";" in r[field]:
                r[field] = ";".join(r[field].split(";")[:-1])
    path.write_text(json.dumps(records))


def _two_steps(corpus: Path, tmp_path: Path, held_back: str = "iclr/iclr2022.json"
               ) -> tuple[Path, Path, pipeline.BuildReport]:
    """The corpus built into tmp_path/steps.duckdb without the file `held_back`, then with it:
    (the corpus copy, the held-back file in it, the second step's report)."""
    part = tmp_path / "part"
    shutil.copytree(corpus, part)
    held = part / held_back
    held.unlink()
    pipeline.build(tmp_path / "steps.duckdb", [part])
    shutil.copy(corpus / held_back, held)
    return part, held, pipeline.build(tmp_path / "steps.duckdb", [part])


def _recomputed_in_full(path: Path, recompute: Callable[[duckdb.DuckDBPyConnection], object]
                        ) -> Path:
    """A copy of the store at `path` (beside it, full.duckdb) on which `recompute` ran."""
    full = path.with_name("full.duckdb")
    shutil.copy(path, full)
    con = db.connect(full)
    try:
        recompute(con)
    finally:
        con.close()
    return full


def _steps_and_scratch(steps_db: Path, part: Path, work: Path) -> tuple[Partition, Partition]:
    """The partition and moves of the two-step store, and of `part` built from scratch (in
    the new folder `work`)."""
    work.mkdir()
    pipeline.build(work / "scratch.duckdb", [part])
    (work / "steps").mkdir()
    (work / "scratch").mkdir()
    return (_partition(steps_db, work / "steps"),
            _partition(work / "scratch.duckdb", work / "scratch"))


def test_two_step_build_equals_build_from_scratch(corpus: Path, tmp_path: Path) -> None:
    part, held, _ = _two_steps(corpus, tmp_path)
    steps, scratch = _steps_and_scratch(tmp_path / "steps.duckdb", part, tmp_path / "added")
    assert len(steps[1]) > 3
    assert steps == scratch

    _drop_last_authors(held)
    pipeline.build(tmp_path / "steps.duckdb", [part])
    steps, scratch = _steps_and_scratch(tmp_path / "steps.duckdb", part, tmp_path / "changed")
    assert steps == scratch


def test_people_resolves_again_only_the_name_regions_new_mentions_touch(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the m/u kept from the first step (here: the priors, whatever the data, so that the
    build from scratch has the same), the second step resolves only the regions of names that
    hold a new or changed mention, and gives the partition (and moves) from scratch."""
    from talentgraph.resolve.people import kept_model, model

    monkeypatch.setattr(model, "learn", lambda con, fragments: model.Params())
    monkeypatch.setattr(kept_model, "digest", lambda con, fragments: "as before")
    part, held, report = _two_steps(corpus, tmp_path)
    people = report.stages["people"]
    assert people["m_u"].startswith("kept")
    assert 0 < people["mentions_resolved"] < people["mentions"]
    steps, scratch = _steps_and_scratch(tmp_path / "steps.duckdb", part, tmp_path / "added")
    assert len(steps[1]) > 3
    assert steps == scratch

    _drop_last_authors(held)
    people = pipeline.build(tmp_path / "steps.duckdb", [part]).stages["people"]
    assert 0 < people["mentions_resolved"] < people["mentions"]
    steps, scratch = _steps_and_scratch(tmp_path / "steps.duckdb", part, tmp_path / "changed")
    assert steps == scratch


def test_organisations_stage_gives_the_same_tables_run_after_run(tmp_path: Path) -> None:
    """300k mentions in 900 spellings of 300 long-tail laboratories, three spellings of each
    equally frequent, on 4 threads: the key numbering came from a parallel GROUP BY, so the
    name each organisation got changed from one run to the next (the real corpus' hosted_orgs
    377 vs 376)."""
    from talentgraph.resolve.orgs.stage import build_orgs

    con = db.connect(tmp_path / "s.duckdb")
    con.execute("SET threads = 4")
    con.execute("""
        INSERT INTO mentions (paper_id, position, raw_name, raw_affiliation, aff_aligned,
                              source_file, record_id, year, ingested_at)
        SELECT 'p' || i, 0, 'N' || i, 'Lab ' || (i % 300) || ' of ' ||
               ['Acme Widget Laboratory', 'ACME Widget Laboratory',
                'Acme widget laboratory'][i % 3 + 1],
               true, 'x2023.json', 'r' || i, 2023, now()
        FROM range(300000) t(i)""")
    runs = []
    for _ in range(3):
        build_orgs(con)
        runs.append({t: fp.content_fingerprint(con, t)
                     for t in ("orgs", "org_aliases", "mention_orgs")})
    con.close()
    assert runs[0]["orgs"] != "absent"
    assert runs[0] == runs[1] == runs[2]


def test_profiles_of_unchanged_persons_are_kept_and_equal_a_full_computation(
        corpus: Path, tmp_path: Path) -> None:
    from talentgraph.careers import profiles

    report = _two_steps(corpus, tmp_path, "acl/acl2022.json")[2].stages["profiles"]
    assert 0 < report["profiles_computed"] < report["profiles"]
    path = tmp_path / "steps.duckdb"
    full = _recomputed_in_full(path, lambda con: profiles.build_profiles(con, incremental=False))
    rows = []
    for db_path in (path, full):
        con = db.connect(db_path, read_only=True)
        rows.append(con.execute("SELECT * FROM person_profiles ORDER BY person_id").fetchall())
        con.close()
    assert rows[0] == rows[1]


_CAREERS_TABLES = ("spells", "moves", "move_evidence", "career_papers", "career_coauthors",
                   "person_now")


def _rows(db_path: Path, tables: tuple[str, ...]) -> dict[str, list[tuple]]:
    con = db.connect(db_path, read_only=True)
    try:
        return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in tables}
    finally:
        con.close()


def test_careers_recomputes_only_persons_whose_evidence_changed(corpus: Path,
                                                                 tmp_path: Path) -> None:
    """A second step recomputes the timelines of the persons the new file touches (and those
    the people stage split, merged or renamed) and gives the careers tables a full computation
    on the same store gives."""
    from talentgraph.careers.stage import build_careers

    report = _two_steps(corpus, tmp_path)[2].stages["careers"]
    assert 0 < report["persons_computed"] < report["persons"]
    assert report["moves"] > 3
    path = tmp_path / "steps.duckdb"
    full = _recomputed_in_full(path, lambda con: build_careers(con, incremental=False))
    assert _rows(path, _CAREERS_TABLES) == _rows(full, _CAREERS_TABLES)


def test_a_stage_forgets_its_state_when_its_code_changes(corpus: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """State written under other rules is not reused: the stage recomputes everyone."""
    path = tmp_path / "s.duckdb"
    pipeline.build(path, [corpus])
    monkeypatch.setattr(fp, "code_fingerprint", lambda paths: "other rules")
    report = pipeline.build(path, [corpus])
    assert report.stages["careers"]["persons_computed"] == report.stages["careers"]["persons"]


def test_a_stage_out_of_memory_runs_again_with_twice_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stage declares its inputs and is skipped while they stay the same; one that runs out
    of DuckDB's memory runs once more with twice the limit instead of failing the build."""
    calls: list[str] = []

    def flaky(con: duckdb.DuckDBPyConnection, progress: pipeline.Progress) -> dict:
        calls.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        if len(calls) == 1:
            raise duckdb.OutOfMemoryException("Out of Memory Error: test")
        con.execute("CREATE OR REPLACE TABLE x_out AS SELECT count(*) AS n FROM papers")
        return {"n": con.execute("SELECT n FROM x_out").fetchone()[0]}

    monkeypatch.setattr(pipeline, "stage_specs", lambda: [
        pipeline.StageSpec("x", flaky, reads=("papers",), writes=("x_out",), code=())])
    monkeypatch.setenv("TALENTGRAPH_BUILD_MEMORY", "1GB")
    (tmp_path / "corpus").mkdir()
    report = pipeline.build(tmp_path / "s.duckdb", [tmp_path / "corpus"])
    assert report.runs["x"].status == "ran" and "out of memory" in report.runs["x"].reason
    assert len(calls) == 2 and calls[1] != calls[0]
    assert pipeline.build(tmp_path / "s.duckdb", [tmp_path / "corpus"]).runs["x"].status == \
        "skipped"
    assert len(calls) == 2


def test_a_stage_reading_files_runs_again_when_they_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new input (e.g. a ROR dump) plugs in by naming its files: the stage reruns when their
    bytes change, and so do the stages reading its table."""
    dump = tmp_path / "dump.csv"
    dump.write_text("a\n")
    runs: list[str] = []

    def load(con: duckdb.DuckDBPyConnection, progress: pipeline.Progress) -> dict:
        runs.append("load")
        con.execute(f"CREATE OR REPLACE TABLE dump AS SELECT * FROM read_csv('{dump}')")
        return {}

    def use(con: duckdb.DuckDBPyConnection, progress: pipeline.Progress) -> dict:
        runs.append("use")
        con.execute("CREATE OR REPLACE TABLE used AS SELECT count(*) AS n FROM dump")
        return {}

    monkeypatch.setattr(pipeline, "stage_specs", lambda: [
        pipeline.StageSpec("load", load, reads=(), writes=("dump",), code=(),
                           files=lambda: [dump]),
        pipeline.StageSpec("use", use, reads=("dump",), writes=("used",), code=())])
    (tmp_path / "corpus").mkdir()
    build = lambda: pipeline.build(tmp_path / "s.duckdb", [tmp_path / "corpus"])  # noqa: E731
    build()
    build()
    assert runs == ["load", "use"]
    dump.write_text("a\nb\n")
    build()
    assert runs == ["load", "use", "load", "use"]


def test_renaming_an_organisation_recomputes_the_profiles_that_show_it(
        corpus: Path, tmp_path: Path) -> None:
    from talentgraph.careers import profiles

    path = tmp_path / "s.duckdb"
    pipeline.build(path, [corpus])
    con = db.connect(path)
    org, n_showing = con.execute("""
        SELECT org_id, count(DISTINCT person_id) FROM spells GROUP BY 1
        ORDER BY 2 DESC, 1 LIMIT 1""").fetchone()
    n_all = con.execute("SELECT count(*) FROM persons").fetchone()[0]
    con.execute("UPDATE orgs SET name = 'Renamed Institute' WHERE org_id = ?", [org])
    report = profiles.build_profiles(con)
    assert n_showing <= report["profiles_computed"] < n_all
    assert con.execute("SELECT count(*) FROM person_profiles WHERE parts LIKE "
                       "'%Renamed Institute%'").fetchone()[0] == n_showing
    incremental = con.execute("SELECT * FROM person_profiles ORDER BY person_id").fetchall()
    profiles.build_profiles(con, incremental=False)
    assert con.execute("SELECT * FROM person_profiles ORDER BY person_id").fetchall() == \
        incremental
    con.close()


def test_a_name_turning_rare_recomputes_that_person_alone(corpus: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether a name is rare depends on every other name in the store, so it can change for a
    person whose own records did not (the rare name lifts the namesake check of their moves):
    such a person is recomputed, nobody else is, and the tables equal a full computation."""
    from talentgraph.careers import stage

    path = tmp_path / "s.duckdb"
    pipeline.build(path, [corpus])
    con = db.connect(path)
    rare_before = stage.rare_name_persons(con)
    person = con.execute("""
        SELECT min(person_id) FROM careers_moves_all
        WHERE person_id NOT IN (SELECT unnest($rare::VARCHAR[]))""",
                         {"rare": sorted(rare_before)}).fetchone()[0]
    assert person is not None
    monkeypatch.setattr(stage, "rare_name_persons", lambda c: rare_before | {person})
    report = stage.build_careers(con, incremental=True)
    assert (report["persons_computed"], report["persons"] > 1) == (1, True)
    con.close()
    full = _recomputed_in_full(path, lambda c: stage.build_careers(c, incremental=False))
    assert _rows(path, _CAREERS_TABLES) == _rows(full, _CAREERS_TABLES)


def test_careers_declares_the_ror_tables_it_reads_predecessor_names_from() -> None:
    """careers/org_names.py reads ror_names and ror_relations; a Spark build hands a stage only
    the tables it declares, and without them 25% of the real corpus gave other moves on Spark
    (Université Bourgogne Franche-Comté and its successor counted as a move)."""
    spec = next(s for s in pipeline.stage_specs() if s.name == "careers")
    assert {"ror_names", "ror_relations"} <= set(spec.reads or ())

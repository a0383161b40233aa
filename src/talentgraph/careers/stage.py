"""The `careers` derived stage: affiliation_obs -> spells -> moves (+ move_evidence)."""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from typing import Any

import duckdb
import pyarrow as pa

from talentgraph.careers import increments
from talentgraph.careers.moves import Move, detect_moves, set_years_of
from talentgraph.careers.namesakes import rare_name_persons
from talentgraph.careers.now import build_person_now
from talentgraph.careers.observations import build_observations, table_exists
from talentgraph.careers.org_names import OrgNames, org_names
from talentgraph.careers.position_obs import add_position_observations
from talentgraph.careers.timelines import Obs, Spell, build_spells, merge_same_orgs
from talentgraph.errors import StoreError
from talentgraph.resolve.orgs.links import links as curated_links

_BATCH_ROWS = 50_000
_OBS_COLS = ("person_id, paper_id, position, eff_year, org_id, weight, evidence, key, role, "
             "role_kind, n_orgs, source_file, record_id, alignment")


def _no_progress(stage: str, done: int, total: int, detail: str = "") -> None:
    return None


def _per_person(con: duckdb.DuckDBPyConnection, obs_table: str, where: str = ""
                ) -> Iterator[tuple[str, list[Obs]]]:
    """Observations grouped by person, streamed in batches (the table is ordered by person);
    `where` restricts the persons (an incremental build)."""
    reader = con.execute(
        # (person, paper, position, organisation) is the table's key: a total order, so the
        # order-dependent timeline code sees the same list on every build
        f"SELECT {_OBS_COLS} FROM {obs_table} {where} "
        "ORDER BY person_id, eff_year, org_id, paper_id, position"
    ).to_arrow_reader(50_000)
    current: str | None = None
    bucket: list[Obs] = []
    for batch in reader:
        cols = batch.to_pydict()
        for i in range(batch.num_rows):
            pid = cols["person_id"][i]
            if pid != current:
                if current is not None:
                    yield current, bucket
                current, bucket = pid, []
            bucket.append(Obs(cols["paper_id"][i], cols["position"][i], cols["eff_year"][i],
                              cols["org_id"][i], cols["weight"][i], cols["evidence"][i],
                              cols["key"][i], cols["role"][i], cols["role_kind"][i],
                              cols["n_orgs"][i], cols["source_file"][i], cols["record_id"][i],
                              cols["alignment"][i]))
    if current is not None:
        yield current, bucket


def _spell_sources(s: Spell) -> tuple[list[str], list[str]]:
    """(sources, position ids) of a spell: 'papers' for paper records, else the position's
    source (its unit is '<source>:<name>')."""
    sources = sorted({o.source_file.split(":", 1)[0] if o.evidence == "position" else "papers"
                      for o in s.obs})
    return sources, sorted({o.key for o in s.obs if o.evidence == "position"})


def _spell_row(s: Spell, concurrent: list[str]) -> dict[str, Any]:
    sources, position_ids = _spell_sources(s)
    return {
        "sources": sources, "position_ids": position_ids,
        "person_id": s.person_id, "org_id": s.org_id, "start_year": s.start_year,
        "end_year": s.end_year, "kind": s.kind, "confidence": s.confidence,
        "n_records": len(s.obs), "n_independent": len(s.keys), "corroborated": s.corroborated,
        "roles": s.roles(), "evidence_kinds": sorted({o.evidence for o in s.obs}),
        "lag_records": len(s.lag_obs), "concurrent_org_ids": concurrent,
    }


def _move_row(m: Move) -> dict[str, Any]:
    return {
        "move_id": m.move_id, "person_id": m.person_id, "from_org_id": m.from_org_id,
        "to_org_id": m.to_org_id, "last_year_at_from": m.last_year_at_from,
        "first_year_at_to": m.first_year_at_to, "kind": m.kind, "confidence": m.confidence,
        "rule": m.rule, "evidence": m.summary(),
        "n_from_records": len({o.key for o in m.from_obs}),
        "n_to_records": len({o.key for o in m.to_obs}),
    }


def _evidence_rows(m: Move) -> Iterator[dict[str, Any]]:
    for side, obs in (("from", m.from_obs), ("to", m.to_obs), ("lag", m.lag_obs)):
        for o in obs:
            yield {"move_id": m.move_id, "side": side, "paper_id": o.paper_id,
                   "position": o.position, "year": o.year, "org_id": o.org_id,
                   "evidence": o.evidence, "weight": o.weight, "source_file": o.source_file,
                   "record_id": o.record_id}


_SCHEMAS = {
    "spells": pa.schema([
        ("person_id", pa.string()), ("org_id", pa.string()), ("start_year", pa.int32()),
        ("end_year", pa.int32()), ("kind", pa.string()), ("confidence", pa.float64()),
        ("n_records", pa.int32()), ("n_independent", pa.int32()), ("corroborated", pa.bool_()),
        ("roles", pa.list_(pa.string())), ("evidence_kinds", pa.list_(pa.string())),
        ("lag_records", pa.int32()), ("concurrent_org_ids", pa.list_(pa.string())),
        ("sources", pa.list_(pa.string())), ("position_ids", pa.list_(pa.string()))]),
    "moves": pa.schema([
        ("move_id", pa.string()), ("person_id", pa.string()), ("from_org_id", pa.string()),
        ("to_org_id", pa.string()), ("last_year_at_from", pa.int32()),
        ("first_year_at_to", pa.int32()), ("kind", pa.string()), ("confidence", pa.float64()),
        ("rule", pa.string()), ("evidence", pa.string()), ("n_from_records", pa.int32()),
        ("n_to_records", pa.int32())]),
    "move_evidence": pa.schema([
        ("move_id", pa.string()), ("side", pa.string()), ("paper_id", pa.string()),
        ("position", pa.int32()), ("year", pa.int32()), ("org_id", pa.string()),
        ("evidence", pa.string()), ("weight", pa.float64()), ("source_file", pa.string()),
        ("record_id", pa.string())]),
}
# What the timelines give before the namesake check: every candidate move (`seq`: its rank
# among the person's), its records, and the records of the two sides of those to check.
_CANDIDATES = {
    "spells": _SCHEMAS["spells"],
    "moves": _SCHEMAS["moves"].append(pa.field("seq", pa.int32())).append(
        pa.field("needs_link", pa.bool_())),
    "move_evidence": _SCHEMAS["move_evidence"].append(pa.field("person_id", pa.string())).append(
        pa.field("seq", pa.int32())),
    "sides": pa.schema([("person_id", pa.string()), ("seq", pa.int32()), ("side", pa.string()),
                        ("paper_id", pa.string()), ("position", pa.int32())]),
}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_name = ?", [table]).fetchall()}


def _linked_pairs(con: duckdb.DuckDBPyConnection) -> frozenset[frozenset[str]]:
    """Pairs of organisations between which a change is not a move: an organisation and its
    successor (DeepMind -> Google DeepMind), an organisation and any organisation above it
    (Microsoft -> Microsoft Research is the same employer named at two granularities), the
    curated links (resolve/orgs/links.csv) and an academy's graduate university with its
    institutes (UCAS and CASIA)."""
    if not table_exists(con, "orgs"):
        return frozenset()
    cols = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_name = 'orgs'").fetchall()}
    pairs: set[frozenset[str]] = set()
    if "successor_id" in cols:
        pairs |= {frozenset(r) for r in con.execute(
            "SELECT org_id, successor_id FROM orgs WHERE successor_id IS NOT NULL "
            "AND successor_id <> org_id").fetchall()}
    parent = dict(con.execute("SELECT org_id, parent_id FROM orgs WHERE parent_id IS NOT NULL "
                              "AND parent_id <> org_id").fetchall())
    for org in parent:
        seen, up = {org}, parent.get(org)
        while up is not None and up not in seen:
            pairs.add(frozenset((org, up)))
            seen.add(up)
            up = parent.get(up)
    # Curated pairs whose people are carried under either name (Google Brain and Google
    # Research, DeepMind and Google): see resolve/orgs/links.csv.
    pairs |= set(curated_links())
    if "kind" in cols:
        # A graduate university of an academy and the academy's institutes (UCAS and the CAS
        # institutes) are held together by every student there: not a move.
        kind = dict(con.execute("SELECT org_id, kind FROM orgs WHERE parent_id IS NOT NULL"
                                ).fetchall())
        by_parent: dict[str, list[str]] = {}
        for o, p in parent.items():
            by_parent.setdefault(p, []).append(o)
        for kids in by_parent.values():
            unis = [k for k in kids if kind.get(k) == "university"]
            insts = [k for k in kids if kind.get(k) == "institute"]
            pairs |= {frozenset((u, i)) for u in unis for i in insts}
    return frozenset(pairs)


def build_careers(con: duckdb.DuckDBPyConnection, progress: Any = _no_progress,
                  mention_person: str = "mention_person", prefix: str = "",
                  incremental: bool = False) -> dict[str, Any]:
    """Rebuild `{prefix}affiliation_obs`, `spells`, `moves`, `move_evidence` from the identity
    tables. `mention_person` may name another (paper_id, position, person_id) relation, e.g. the
    OpenReview-id persons the benchmark compares against. `incremental` (the store's own
    persons only): recompute the timelines of the persons whose evidence changed since the last
    build (careers/increments.py), keep the others'."""
    for name in ("mentions", "sources", "mention_orgs", mention_person):
        if not table_exists(con, name):
            raise StoreError(f"the careers stage needs the table `{name}`: run the "
                             "organisations and people stages first (talentgraph build)")
    t0 = time.perf_counter()
    obs_table = f"{prefix}affiliation_obs"
    n_obs = build_observations(con, mention_person, obs_table)
    # Dated positions read beside the papers (only for the store's own persons: the positions
    # stage links them to `persons`, not to another mention_person relation).
    own = mention_person == "mention_person" and not prefix
    n_pos = add_position_observations(con, obs_table) if own else 0
    n_obs += n_pos
    t_obs = time.perf_counter() - t0
    org_kind: dict[str, str] = {}
    if table_exists(con, "orgs"):
        org_kind = dict(con.execute("SELECT org_id, kind FROM orgs").fetchall())
    names = org_names(con)
    linked = _linked_pairs(con)
    common = (_common_name_persons(con, COMMON_NAME_MIN_PROFILES)
              if COMMON_NAME_MIN_PROFILES and not prefix else set())
    rare = rare_name_persons(con) if not prefix else set()
    n_persons = con.execute(f"SELECT count(DISTINCT person_id) FROM {obs_table}").fetchone()[0]
    todo: int | None = None
    if own:
        # exactly what the timeline code is given of each organisation and person
        facts = {o: repr((org_kind.get(o), names.get(o))) for o in org_kind.keys() | names}
        increments.write_digests(con, obs_table, linked, {"common": common, "rare": rare},
                                 facts)
        todo = increments.plan(con) if incremental else None
    where = "" if todo is None else "WHERE person_id IN (SELECT person_id FROM _cr_todo)"
    n_todo = n_persons if todo is None else todo
    t_py = time.perf_counter()
    _timelines(con, obs_table, where, n_todo, org_kind, names, linked, common, rare, progress)
    t_py = time.perf_counter() - t_py
    progress("careers", n_todo, n_todo, "namesake check")
    t_link = time.perf_counter()
    counts = _write_careers(con, prefix, todo is not None)
    t_link = time.perf_counter() - t_link
    if own:
        increments.save_digests(con)
    t_tables = time.perf_counter()
    if not prefix:
        _build_person_tables(con, mention_person)
        n_now = build_person_now(con)
    else:
        n_now = 0
    t_tables = time.perf_counter() - t_tables
    return {
        "observations": n_obs, "position_observations": n_pos, "persons_with_now": n_now,
        "persons": n_persons, "persons_computed": n_todo, **counts,
        "seconds_observations": round(t_obs, 2),
        "seconds_timelines": round(t_py, 2),
        "seconds_namesake_check": round(t_link, 2),
        "seconds_person_tables": round(t_tables, 2),
        "seconds_total": round(time.perf_counter() - t0, 2),
        # Peak resident memory of the whole process so far (DuckDB included), Linux KiB.
        "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


_NEW = {"spells": "_cr_new_spells", "moves": "_cr_new_moves", "move_evidence": "_cr_new_evidence",
        "sides": "_cr_new_sides"}


def _timelines(con: duckdb.DuckDBPyConnection, obs_table: str, where: str, n_todo: int,
               org_kind: dict[str, str], names: OrgNames,
               linked: frozenset[frozenset[str]], common: set[str], rare: set[str],
               progress: Any) -> None:
    """Spells and candidate moves of the persons `where` selects, into the temporary tables
    _NEW names (a move's `seq` is its rank among the person's candidate moves)."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in _CANDIDATES}
    batches: dict[str, list[pa.RecordBatch]] = {name: [] for name in _CANDIDATES}

    def flush(name: str) -> None:  # kept as Arrow, not as dicts
        batches[name].append(pa.RecordBatch.from_pylist(rows[name], schema=_CANDIDATES[name]))
        rows[name] = []

    for done, (person_id, obs) in enumerate(_per_person(con, obs_table, where), start=1):
        merge_same_orgs(obs, names)
        spells, dual, transitions = build_spells(person_id, obs, linked, org_kind)
        for s in spells:
            concurrent = sorted({o.org_id for o in spells
                                 if o is not s and o.org_id != s.org_id and o.kind == "home"
                                 and o.start_year <= s.end_year and s.start_year <= o.end_year})
            rows["spells"].append(_spell_row(s, concurrent))
        if len({s.org_id for s in spells}) > 1:
            found = detect_moves(person_id, spells, dual, org_kind, transitions, linked,
                                 common_name=person_id in common,
                                 rare_name=person_id in rare,
                                 set_years=set_years_of(obs))
            for seq, m in enumerate(found):
                rows["moves"].append({**_move_row(m), "seq": seq,
                                      "needs_link": m.link_check is not None})
                rows["move_evidence"].extend({**r, "person_id": person_id, "seq": seq}
                                             for r in _evidence_rows(m))
                for side, side_obs in zip(("a", "b"), m.link_check or ((), ()), strict=True):
                    rows["sides"].extend(
                        {"person_id": person_id, "seq": seq, "side": side, "paper_id": k[0],
                         "position": k[1]}
                        for k in sorted({(o.paper_id, o.position) for o in side_obs}))
        for name in rows:
            if len(rows[name]) >= _BATCH_ROWS:
                flush(name)
        if done % 20_000 == 0:
            progress("careers", done, n_todo, "timelines")
    for name, schema in _CANDIDATES.items():
        flush(name)
        con.register("_careers_tmp", pa.Table.from_batches(batches.pop(name), schema=schema))
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_NEW[name]} AS SELECT * FROM _careers_tmp")
        con.unregister("_careers_tmp")


def _write_careers(con: duckdb.DuckDBPyConnection, prefix: str, keep: bool) -> dict[str, int]:
    """spells, moves and move_evidence from the new rows (and, when `keep`, the kept rows of
    the state tables); the candidate moves that need it pass the namesake check."""
    moves_all, evidence_all, sides = (f"{prefix}careers_moves_all",
                                      f"{prefix}careers_evidence_all",
                                      f"{prefix}careers_link_sides")
    spells_cols = ", ".join(_SCHEMAS["spells"].names)
    for table, new in ((f"{prefix}spells", _NEW["spells"]), (moves_all, _NEW["moves"]),
                       (evidence_all, _NEW["move_evidence"]), (sides, _NEW["sides"])):
        cols = spells_cols if new == _NEW["spells"] else "*"
        kept = f"{increments.kept_rows(table)} UNION ALL " if keep else ""
        con.execute(f"CREATE OR REPLACE TEMP TABLE _cr_merged AS "
                    f"SELECT {cols} FROM ({kept}SELECT {cols} FROM {new})")
        # Each table sorted by the column it is looked up by: DuckDB then skips the row groups
        # whose min/max exclude the person (or move), which keeps `person` and `cohort` fast.
        order = "person_id, start_year" if new == _NEW["spells"] else "person_id, seq"
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _cr_merged "
                    f"ORDER BY {order}")
        con.execute(f"DROP TABLE IF EXISTS {new}")
    con.execute("DROP TABLE IF EXISTS _cr_merged")
    _link_verdicts(con, sides)
    move_cols = ", ".join(_SCHEMAS["moves"].names)
    con.execute(f"""
    CREATE OR REPLACE TABLE {prefix}moves AS
    SELECT {move_cols} FROM {moves_all} m
    WHERE NOT m.needs_link OR EXISTS (SELECT 1 FROM _cr_linked_ok k
                                      WHERE k.person_id = m.person_id AND k.seq = m.seq)
    ORDER BY person_id, first_year_at_to""")
    ev_cols = ", ".join(f"e.{c}" for c in _SCHEMAS["move_evidence"].names)
    con.execute(f"""
    CREATE OR REPLACE TABLE {prefix}move_evidence AS
    SELECT {ev_cols} FROM {evidence_all} e JOIN {moves_all} m USING (person_id, seq)
    WHERE NOT m.needs_link
       OR EXISTS (SELECT 1 FROM _cr_linked_ok k WHERE k.person_id = e.person_id
                                                   AND k.seq = e.seq)
    ORDER BY e.move_id, e.side, e.year""")
    n_linked = con.execute("SELECT count(*) FROM _cr_linked_ok").fetchone()[0]
    con.execute("DROP TABLE IF EXISTS _cr_linked_ok")
    n_spells, n_moves, n_ev = (con.execute(f"SELECT count(*) FROM {prefix}{t}").fetchone()[0]
                               for t in ("spells", "moves", "move_evidence"))
    unlinked = con.execute(f"SELECT count(*) FROM {moves_all} WHERE needs_link").fetchone()[0]
    return {"spells": n_spells, "moves": n_moves, "move_evidence": n_ev,
            "moves_dropped_no_link": unlinked - n_linked}


# A person whose name this many OpenReview profiles share ("~Qiang_Wang14": fourteen people)
# is a likely merge of namesakes: every move of theirs must show one person.
COMMON_NAME_MIN_PROFILES = 5


def _common_name_persons(con: duckdb.DuckDBPyConnection, min_profiles: int) -> set[str]:
    """Persons whose canonical name is shared by >= min_profiles OpenReview profiles, read off
    the profile ids' numbering (~First_Last<n> is the n-th profile of that name)."""
    if not (table_exists(con, "persons") and "openreview_id" in _columns(con, "mentions")):
        return set()
    return {r[0] for r in con.execute(r"""
        WITH ids AS (SELECT DISTINCT openreview_id AS i FROM mentions
                     WHERE openreview_id LIKE '~%'),
        names AS (SELECT lower(regexp_extract(i, '^~(.*?)[0-9]+$', 1)) AS name_key,
                         max(try_cast(regexp_extract(i, '([0-9]+)$', 1) AS INTEGER)) AS n
                  FROM ids GROUP BY 1)
        SELECT p.person_id FROM persons p
        JOIN names ON names.name_key = lower(replace(p.canonical_name, ' ', '_'))
        WHERE names.n >= ?""", [min_profiles]).fetchall()}


MAX_COAUTHOR_LIST = 30  # papers with more authors say little about who works with whom
# Title words shared by this many of the corpus' most frequent ones say nothing of a topic.
COMMON_TITLE_WORDS = 400
TOPIC_MIN_SHARED_WORDS = 2


def _link_verdicts(con: duckdb.DuckDBPyConnection, sides: str) -> None:
    """_cr_linked_ok(person_id, seq): the candidate moves (their two sides' records in `sides`)
    whose two sides show one person: a coauthor on both sides (papers of at most
    MAX_COAUTHOR_LIST authors), an author id (OpenReview, DBLP, ORCID, ACL, IEEE, Scholar,
    e-mail) on both sides, or a topic: at least TOPIC_MIN_SHARED_WORDS title words in common,
    the corpus' most frequent title words left out. Merged namesakes share none."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _cr_linked_ok AS
        WITH s AS (SELECT person_id || '#' || seq AS idx, side, paper_id, position
                   FROM {sides}),
        co AS (
            SELECT DISTINCT s.idx, s.side, mp.person_id AS who
            FROM s JOIN mention_person mp ON mp.paper_id = s.paper_id
                                         AND mp.position <> s.position
            JOIN papers p ON p.paper_id = s.paper_id
            WHERE p.n_authors <= {MAX_COAUTHOR_LIST} AND mp.person_id IS NOT NULL),
        ids AS (
            SELECT DISTINCT s.idx, s.side, x.id
            FROM s JOIN mentions m ON m.paper_id = s.paper_id AND m.position = s.position,
                 unnest([m.openreview_id, m.dblp, m.orcid, m.acl_id, m.ieee_id,
                         m.google_scholar, lower(m.email)]) AS x(id)
            WHERE x.id IS NOT NULL AND trim(x.id) <> ''),
        words AS (
            SELECT DISTINCT s.idx, s.side, w.w
            FROM s JOIN papers p ON p.paper_id = s.paper_id,
                 unnest(string_split_regex(lower(p.title), '[^a-z0-9]+')) AS w(w)
            WHERE length(w.w) >= 4),
        common AS (
            SELECT w FROM (
                SELECT w.w, count(*) AS n FROM papers p,
                       unnest(string_split_regex(lower(p.title), '[^a-z0-9]+')) AS w(w)
                WHERE length(w.w) >= 4 GROUP BY w.w ORDER BY n DESC, w.w
                LIMIT {COMMON_TITLE_WORDS})),
        topic AS (
            SELECT a.idx FROM words a JOIN words b ON a.idx = b.idx AND a.w = b.w
            WHERE a.side = 'a' AND b.side = 'b' AND a.w NOT IN (SELECT w FROM common)
            GROUP BY a.idx HAVING count(DISTINCT a.w) >= {TOPIC_MIN_SHARED_WORDS}),
        ok AS (
            SELECT a.idx FROM co a JOIN co b ON a.idx = b.idx AND a.who = b.who
            WHERE a.side = 'a' AND b.side = 'b'
            UNION SELECT a.idx FROM ids a JOIN ids b ON a.idx = b.idx AND a.id = b.id
            WHERE a.side = 'a' AND b.side = 'b'
            UNION SELECT idx FROM topic)
        SELECT DISTINCT person_id, seq FROM {sides}
        WHERE person_id || '#' || seq IN (SELECT idx FROM ok)
        """)


def _build_person_tables(con: duckdb.DuckDBPyConnection, mention_person: str) -> None:
    """Look-up tables for the person page, sorted by person: their papers (with the
    organisations attributed on each) and their frequent coauthors."""
    con.execute(f"""
    CREATE OR REPLACE TABLE career_papers AS
    WITH aff AS (
        -- names in a fixed order: a parallel aggregate otherwise joins them in any order
        SELECT mo.paper_id, mo.position,
               string_agg(DISTINCT o.name, ' + ' ORDER BY o.name) AS affiliation
        FROM mention_orgs mo JOIN orgs o USING (org_id) GROUP BY ALL
    )
    SELECT mp.person_id, p.year, p.venue, p.title, p.status, mp.position, p.n_authors,
           p.paper_id, p.keywords, p.primary_area, aff.affiliation
    FROM {mention_person} mp JOIN papers p USING (paper_id)
    LEFT JOIN aff ON aff.paper_id = mp.paper_id AND aff.position = mp.position
    ORDER BY mp.person_id, p.year DESC, p.title
    """)
    con.execute(f"""
    CREATE OR REPLACE TABLE career_coauthors AS
    WITH mp AS (
        SELECT m.person_id, m.paper_id, p.year FROM {mention_person} m
        JOIN papers p USING (paper_id)
        WHERE p.n_authors <= {MAX_COAUTHOR_LIST} AND m.person_id IS NOT NULL
    )
    SELECT a.person_id, b.person_id AS coauthor_id, any_value(pr.canonical_name) AS name,
           count(DISTINCT a.paper_id) AS papers, max(a.year) AS last_year
    FROM mp a JOIN mp b ON a.paper_id = b.paper_id AND a.person_id <> b.person_id
    LEFT JOIN persons pr ON pr.person_id = b.person_id
    GROUP BY a.person_id, b.person_id
    ORDER BY a.person_id, papers DESC, last_year DESC
    """)


def careers_stage(con: duckdb.DuckDBPyConnection, progress: Any = _no_progress
                  ) -> dict[str, Any]:
    """The pipeline's `careers` stage; reports itself skipped until the identity tables exist."""
    missing = [t for t in ("mention_person", "mention_orgs", "orgs") if not table_exists(con, t)]
    if missing:
        return {"skipped": f"needs {', '.join(missing)} (organisations and people stages)"}
    return build_careers(con, progress, incremental=True)

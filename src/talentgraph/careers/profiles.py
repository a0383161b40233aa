"""The `profiles` derived stage: everything a person page shows, precomputed for every person.

`talentgraph person`, the Python API (`careers.person.person_careers`) and the web profile page
read one row of `person_profiles` by person id instead of computing the timeline, moves, papers,
coauthors and topics from the careers tables on each view (~0.1 s of CPU per person on the whole
corpus; a keyed row is a few ms). The answers are the same as `careers.person`'s computed ones:
the same tables, the same order (tests compare both on fixtures, every person).

Tables it (re)builds, after the careers stage:
  person_profiles       one row per person: header (name, mentions, years) and the page's parts
                        (one JSON text), sorted by person_id with an index on it
  person_profiles_meta  row counts of the tables it was built from; a profile is used only while
                        they still match (a careers rebuild without this stage falls back to
                        computing)
  person_profiles_digest  per person, a hash of every row their profile is computed from (and
                        of the organisation names it shows): a rebuild recomputes only the
                        profiles whose digest changed
"""

from __future__ import annotations

from typing import Any

import duckdb
import orjson

from talentgraph.careers.observations import table_exists

# Limits shared with careers.person (a page shows the newest 50 papers, the 10 most frequent
# coauthors and topics).
PAPERS_LIMIT = 50
COAUTHORS_LIMIT = 10
TOPICS_LIMIT = 10

# The tables a profile is computed from; their row counts are the freshness check.
SOURCES = ("persons", "spells", "moves", "move_evidence", "career_papers", "career_coauthors")
PARTS = ("timeline", "moves", "move_evidence", "papers", "coauthors", "topics")

# A keyword as a topic: trimmed (ASCII whitespace, as RE2's \s) and lower-cased. The computed
# path (careers.person.topics) runs the same expression, so both agree character for character.
TOPIC_SQL = "lower(regexp_replace({w}, '^\\s+|\\s+$', '', 'g'))"

def build_profiles(con: duckdb.DuckDBPyConnection, progress: Any = None,
                   incremental: bool = True) -> dict[str, Any]:
    """(Re)build `person_profiles` from the persons and careers tables: only the profiles of the
    persons whose rows in those tables changed since the last build (see _plan), unless
    `incremental` is False or too many changed."""
    missing = [t for t in (*SOURCES, "orgs") if not table_exists(con, t)]
    if missing:
        return {"skipped": f"needs {', '.join(missing)} (people and careers stages)"}
    con.execute("SET enable_progress_bar = false")
    _digest(con)
    todo = _plan(con) if incremental else None

    if todo is None:  # every profile, a slice of the persons at a time (bounded memory)
        n_all = con.execute("SELECT count(*) FROM persons").fetchone()[0]
        slices = max(1, -(-n_all // SLICE_PERSONS))
        todo_sql = [f"SELECT person_id FROM persons WHERE hash(person_id) % {slices} = {i}"
                    for i in range(slices)]
    else:
        todo_sql = []  # _plan filled _pp_todo
    con.execute("CREATE OR REPLACE TEMP TABLE _pp_acc (person_id VARCHAR, canonical_name "
                "VARCHAR, n_mentions BIGINT, first_year INTEGER, last_year INTEGER, "
                "parts VARCHAR)")
    for i, sql in enumerate(todo_sql or [None]):
        if sql is not None:
            con.execute(f"CREATE OR REPLACE TEMP TABLE _pp_todo AS {sql}")
        if progress is not None:
            progress("profiles", i, len(todo_sql or [None]), "profiles")
        _compute(con)
        con.execute("INSERT INTO _pp_acc SELECT * FROM _pp_new")
    kept = "" if todo is None else """
        SELECT * FROM person_profiles
        WHERE person_id NOT IN (SELECT person_id FROM _pp_todo)
          AND person_id IN (SELECT person_id FROM persons)
        UNION ALL"""
    con.execute(f"""
        CREATE OR REPLACE TABLE person_profiles AS
        SELECT * FROM ({kept} SELECT * FROM _pp_acc) ORDER BY person_id""")
    con.execute("CREATE UNIQUE INDEX person_profiles_id ON person_profiles (person_id)")
    con.execute("CREATE OR REPLACE TABLE person_profiles_digest AS "
                "SELECT * FROM _pp_digest ORDER BY person_id")
    for t in ("_pp_spells", "_pp_timeline", "_pp_moves", "_pp_evidence", "_pp_papers",
              "_pp_coauthors", "_pp_topics", "_pp_new", "_pp_todo", "_pp_digest", "_pp_acc"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    counts = source_counts(con)
    con.execute("CREATE OR REPLACE TABLE person_profiles_meta (source VARCHAR PRIMARY KEY, "
                "n_rows BIGINT)")
    con.executemany("INSERT INTO person_profiles_meta VALUES (?, ?)", list(counts.items()))
    n = con.execute("SELECT count(*) FROM person_profiles").fetchone()[0]
    return {"profiles": n, "profiles_computed": n if todo is None else todo}


def _src(table: str) -> str:
    """`table` restricted to the persons of _pp_todo."""
    return f"(SELECT * FROM {table} WHERE person_id IN (SELECT person_id FROM _pp_todo))"


def _compute(con: duckdb.DuckDBPyConnection) -> None:
    """_pp_new: the profile rows of the persons in _pp_todo."""
    src = _src
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _pp_spells AS
        SELECT row_number() OVER () AS rid, * FROM {src('spells')}""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _pp_timeline AS
        WITH cw AS (
            SELECT x.rid, list(coalesce(c.name, x.id) ORDER BY x.id) AS names
            FROM (SELECT rid, unnest(concurrent_org_ids) AS id FROM _pp_spells) x
            LEFT JOIN orgs c ON c.org_id = x.id GROUP BY x.rid
        )
        SELECT s.person_id,
               list({'org_id': s.org_id, 'org': o.name, 'start_year': s.start_year,
                     'end_year': s.end_year, 'kind': s.kind, 'confidence': s.confidence,
                     'records': s.n_independent, 'corroborated': s.corroborated,
                     'roles': s.roles, 'evidence_kinds': s.evidence_kinds,
                     'lag_records': s.lag_records, 'concurrent_with': cw.names}
                    ORDER BY s.start_year, s.end_year, s.kind, o.name, s.org_id) AS timeline
        FROM _pp_spells s LEFT JOIN orgs o USING (org_id) LEFT JOIN cw USING (rid)
        GROUP BY s.person_id""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _pp_moves AS
        SELECT m.person_id,
               list({{'move_id': m.move_id, 'kind': m.kind, 'from_org': fo.name,
                     'to_org': tor.name, 'last_year_at_from': m.last_year_at_from,
                     'first_year_at_to': m.first_year_at_to, 'confidence': m.confidence,
                     'evidence': m.evidence, 'rule': m.rule, 'from_org_id': m.from_org_id,
                     'to_org_id': m.to_org_id}}
                    ORDER BY m.first_year_at_to, m.kind, m.move_id) AS moves
        FROM {src('moves')} m LEFT JOIN orgs fo ON fo.org_id = m.from_org_id
        LEFT JOIN orgs tor ON tor.org_id = m.to_org_id
        GROUP BY m.person_id""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _pp_evidence AS
        WITH e AS (
            SELECT m.person_id, e.* FROM move_evidence e JOIN {src('moves')} m USING (move_id)
        ), t AS (
            SELECT person_id, paper_id, any_value(title) AS title FROM {src('career_papers')}
            WHERE person_id IN (SELECT person_id FROM moves) GROUP BY ALL
        )
        SELECT e.person_id,
               list({{'move_id': e.move_id, 'side': e.side, 'year': e.year, 'org': o.name,
                     'evidence': e.evidence, 'weight': e.weight, 'source_file': e.source_file,
                     'record_id': e.record_id, 'title': t.title}}
                    ORDER BY e.move_id, e.side, e.year, e.paper_id, e.position, e.org_id,
                             e.evidence, e.record_id) AS move_evidence
        FROM e LEFT JOIN orgs o USING (org_id) LEFT JOIN t USING (person_id, paper_id)
        GROUP BY e.person_id""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _pp_papers AS
        SELECT person_id,
               list({{'year': year, 'venue': venue, 'title': title, 'status': status,
                     'position': position, 'n_authors': n_authors, 'paper_id': paper_id,
                     'affiliation': affiliation}}
                    ORDER BY year DESC, title, paper_id, position)[1:{PAPERS_LIMIT}] AS papers
        FROM {src('career_papers')} GROUP BY person_id""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _pp_coauthors AS
        SELECT person_id,
               list({{'person_id': coauthor_id, 'name': name, 'papers': papers,
                     'last_year': last_year}}
                    ORDER BY papers DESC, last_year DESC, name, coauthor_id) AS coauthors
        FROM (SELECT * FROM {src('career_coauthors')}
              QUALIFY row_number() OVER (PARTITION BY person_id ORDER BY papers DESC,
                                         last_year DESC, name, coauthor_id) <= {COAUTHORS_LIMIT})
        GROUP BY person_id""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _pp_topics AS
        WITH w AS (
            SELECT person_id, paper_id, {TOPIC_SQL.format(w='unnest(words)')} AS topic
            FROM ({_WORDS_SQL.format(src=src('career_papers'))})
        ), n AS (
            SELECT person_id, topic, count(DISTINCT paper_id) AS papers FROM w
            WHERE topic IS NOT NULL AND topic <> '' GROUP BY person_id, topic
            QUALIFY row_number() OVER (PARTITION BY person_id ORDER BY papers DESC, topic)
                    <= {TOPICS_LIMIT}
        )
        SELECT person_id, list({{'topic': topic, 'papers': papers}}
                               ORDER BY papers DESC, topic) AS topics
        FROM n GROUP BY person_id""")
    # One row per person, sorted by id: a page reads one row through the index (ART). The parts
    # are one JSON text: parsing it is ~20x cheaper than DuckDB turning nested lists of structs
    # into Python objects, and gives the same values (DuckDB writes doubles so they round-trip).
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _pp_new AS
        SELECT p.person_id, p.canonical_name, p.n_mentions, p.first_year, p.last_year,
               to_json({{'timeline': tl.timeline, 'moves': mv.moves,
                        'move_evidence': ev.move_evidence, 'papers': pa.papers,
                        'coauthors': co.coauthors, 'topics': tp.topics}})::VARCHAR AS parts
        FROM {src('persons')} p
        LEFT JOIN _pp_timeline tl USING (person_id) LEFT JOIN _pp_moves mv USING (person_id)
        LEFT JOIN _pp_evidence ev USING (person_id) LEFT JOIN _pp_papers pa USING (person_id)
        LEFT JOIN _pp_coauthors co USING (person_id) LEFT JOIN _pp_topics tp USING (person_id)
        ORDER BY p.person_id""")


# Above this share of changed persons, computing every profile is cheaper than picking.
# Profiles computed at a time in a full build: DuckDB cannot spill the nested lists it builds,
# so one pass over all ~200k persons of the corpus needed more than the build's memory limit.
SLICE_PERSONS = 50_000
INCREMENTAL_MAX_SHARE = 0.5


def _digest(con: duckdb.DuckDBPyConnection) -> None:
    """_pp_digest(person_id, digest): the sum of the hashes of every row the person's profile is
    computed from, with the names of the organisations it shows."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _pp_digest AS
        WITH shown AS (   -- (person, organisation) pairs whose name the profile shows
            SELECT person_id, org_id FROM spells
            UNION ALL SELECT person_id, unnest(concurrent_org_ids) FROM spells
            UNION ALL SELECT person_id, from_org_id FROM moves
            UNION ALL SELECT person_id, to_org_id FROM moves
            UNION ALL SELECT m.person_id, e.org_id FROM move_evidence e JOIN moves m USING (move_id)
        )
        SELECT person_id, sum(h::HUGEINT) AS digest FROM (
            SELECT person_id, hash(x) AS h FROM persons x
            UNION ALL SELECT person_id, hash(x) FROM spells x
            UNION ALL SELECT person_id, hash(x) FROM moves x
            UNION ALL SELECT m.person_id, hash(x) FROM move_evidence x JOIN moves m USING (move_id)
            UNION ALL SELECT person_id, hash(x) FROM career_papers x
            UNION ALL SELECT person_id, hash(x) FROM career_coauthors x
            UNION ALL SELECT s.person_id, hash(s.org_id, o.name) FROM shown s
                      LEFT JOIN orgs o USING (org_id))
        GROUP BY person_id""")


def _plan(con: duckdb.DuckDBPyConnection) -> int | None:
    """Fill _pp_todo with the persons whose digest changed since the last build; returns how
    many, or None when every profile must be computed (no earlier build, or most persons
    changed)."""
    if not table_exists(con, "person_profiles_digest") or not table_exists(con, "person_profiles"):
        return None
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _pp_todo AS
        SELECT person_id FROM _pp_digest n
        LEFT JOIN person_profiles_digest o USING (person_id)
        WHERE o.digest IS DISTINCT FROM n.digest""")
    n_todo, n_all = con.execute("SELECT (SELECT count(*) FROM _pp_todo), "
                                "(SELECT count(*) FROM persons)").fetchone()
    return n_todo if n_todo <= INCREMENTAL_MAX_SHARE * max(n_all, 1) else None


# The words a paper contributes to its authors' topics: its keywords, else its primary area.
_WORDS_SQL = """
    SELECT person_id, paper_id,
           CASE WHEN len(coalesce(keywords, [])) > 0 THEN keywords
                WHEN coalesce(primary_area, '') <> '' THEN [primary_area]
                ELSE []::VARCHAR[] END AS words
    FROM {src}"""


def topics_sql(src: str) -> str:
    """The topics query over `src` (rows of person_id, paper_id, keywords, primary_area) for
    one person ($p): shared by the stage and careers.person so both give the same answer."""
    return f"""
        WITH w AS (
            SELECT paper_id, {TOPIC_SQL.format(w='unnest(words)')} AS topic
            FROM ({_WORDS_SQL.format(src=src)}) WHERE person_id = $p
        )
        SELECT topic, count(DISTINCT paper_id) AS papers FROM w
        WHERE topic IS NOT NULL AND topic <> '' GROUP BY topic
        ORDER BY papers DESC, topic LIMIT $n"""


def source_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    # the store's own tables, named with their catalog: on a read-only connection the bare
    # names are views that leave erased people out (store.suppress), and would not match
    db = con.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
    return {t: con.execute(f'SELECT count(*) FROM "{db}".main.{t}').fetchone()[0]
            for t in SOURCES}


def is_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether `person_profiles` was built from the tables as they are now."""
    try:
        built = dict(con.execute("SELECT source, n_rows FROM person_profiles_meta").fetchall())
    except duckdb.CatalogException:
        return False
    try:
        return built == source_counts(con)
    except duckdb.CatalogException:
        return False


def read_profile(con: duckdb.DuckDBPyConnection, person_id: str) -> dict[str, Any] | None:
    """The precomputed profile of one person (None when the person has no row)."""
    sql = "SELECT canonical_name, n_mentions, first_year, last_year, parts FROM person_profiles "
    if person_id.isprintable():
        # a literal lets DuckDB look the id up in the index (~0.5 ms); a bound parameter is
        # planned as a scan (2-3 ms). Quotes are doubled: the SQL string escape.
        row = con.execute(sql + "WHERE person_id = '" + person_id.replace("'", "''") + "'"
                          ).fetchone()
    else:
        row = con.execute(sql + "WHERE person_id = ?", [person_id]).fetchone()
    if row is None:
        return None
    name, n_mentions, first_year, last_year, parts = row
    out: dict[str, Any] = {"person_id": person_id,
                           "person": {"person_id": person_id, "canonical_name": name,
                                      "n_mentions": n_mentions, "first_year": first_year,
                                      "last_year": last_year, "match": 0}}
    found = orjson.loads(parts)
    for part in PARTS:
        out[part] = found.get(part) or []
    return out


def profiles_stage(con: duckdb.DuckDBPyConnection, progress: Any) -> dict[str, Any]:
    """The `profiles` derived stage of the build (after careers)."""
    return build_profiles(con, progress)

"""The `index` derived stage: a BM25 full-text index over the papers and the per-person evidence
that ranking and dossiers read (authorship weights, paper impact, where people are now, peers).

Tables it (re)builds, all rebuildable from ingested rows plus the people/orgs/careers tables:
  sourcing_docs      one row per paper: the text that is indexed (title, abstract, tldr, keywords)
  fts_main_sourcing_docs   DuckDB FTS index over sourcing_docs (Porter stemmer, English stopwords)
  sourcing_papers    per paper: venue, year, status, citations and an impact in [0, 1]
  sourcing_authorship  person x paper with the authorship-position weight
  sourcing_people    per person: output, orals, citations, coauthors, role, career stage,
                     where they are now (careers timeline, else latest affiliation, flagged),
                     moves and peer percentiles within their career stage
  sourcing_meta      reference year and which upstream tables were available
and, for the query path only (integer keys, narrow rows: a search reads ~100 ms of CPU):
  sourcing_doc_features  per FTS document id: year, decision, citations, impact, text to show
  sourcing_postings      (term, document, term frequency) of the FTS index, term-major: the
                         web app's in-memory index (memindex.py) loads them
  sourcing_words         every word of the indexed text with its dictionary term: a search
                         looks its words up here instead of loading the FTS extension to stem
                         them (fts.terms_sql)
  sourcing_author_keys   doc_key x person_key with the authorship weight
  sourcing_person_static the query-independent score components per person_key
sourcing_erased (person ids removed on an erasure request) is created once and never replaced,
so a rebuild keeps erased people out.

No protected attribute is read: the stage selects named columns only (see FEATURE_COLUMNS), and the
ingest does not store gender at all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import duckdb

from talentgraph.errors import StoreError
from talentgraph.sourcing import countries, fts
from talentgraph.sourcing import model as m
from talentgraph.sourcing import stage as career
from talentgraph.sourcing.stage import ROLE_CLASSES, role_class  # noqa: F401 (re-exported)

# Every column of the ingested tables the ranking evidence is computed from. A test checks that no
# protected attribute (gender, age, nationality, ...) is among them.
FEATURE_COLUMNS: dict[str, tuple[str, ...]] = {
    "papers": ("paper_id", "venue", "year", "title", "abstract", "tldr", "keywords", "status",
               "decision", "citations", "rating_avg", "n_authors", "site", "pdf", "doi"),
    "mentions": ("paper_id", "position", "raw_name", "raw_affiliation", "aff_norm", "aff_country",
                 "role", "year"),
    "mention_person": ("paper_id", "position", "person_id", "confidence"),
    "persons": ("person_id", "canonical_name"),
    "mention_orgs": ("paper_id", "position", "org_id", "rank"),
    "orgs": ("org_id", "name", "country", "parent_id", "top_parent_id"),
    "spells": ("person_id", "org_id", "start_year", "end_year", "confidence"),
    "moves": ("person_id", "from_org_id", "to_org_id", "last_year_at_from", "first_year_at_to",
              "kind"),
}

# The layout of the sourcing tables; searches refuse an index of another version (rebuild it).
# 2: sourcing_people.career_stage / stage_evidence (stage.py)
INDEX_VERSION = "2"

POSITION_WEIGHT_SQL = f"""CASE
    WHEN n_authors <= 1 OR position = 0 THEN {m.FIRST_WEIGHT}
    WHEN position = n_authors - 1 THEN {m.LAST_WEIGHT}
    WHEN n_authors <= {m.LONG_LIST} THEN {m.MIDDLE_WEIGHT}
    ELSE {m.MIDDLE_LONG_WEIGHT} END"""


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether this database has a table or view `name` (as information_schema.tables says, read
    from the catalog functions it is a view over: ~2 ms instead of ~10 on a search's cold
    connection)."""
    return con.execute("""
        SELECT count(*) FROM (
            SELECT table_name AS n, schema_name AS s, database_name AS d FROM duckdb_tables()
            UNION ALL SELECT view_name, schema_name, database_name FROM duckdb_views())
        WHERE n = ? AND s = current_schema() AND d = current_database()""",
                       [name]).fetchone()[0] > 0


def columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """Column names of a table of this database (not of an attached one)."""
    return {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "AND table_schema = current_schema() AND table_catalog = current_database()",
        [table]).fetchall()}


def has_rows(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return has_table(con, name) and con.execute(f"SELECT count(*) > 0 FROM (SELECT 1 FROM {name} "
                                                "LIMIT 1)").fetchone()[0]


def _role_class_sql(expr: str) -> str:
    arms = " ".join(f"WHEN regexp_matches(lower({expr}), '{pattern}') THEN '{cls}'"
                    for cls, pattern in ROLE_CLASSES)
    return f"CASE WHEN {expr} IS NULL OR trim({expr}) = '' THEN NULL {arms} ELSE 'other' END"


def _ensure_erased(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS sourcing_erased "
                "(person_id VARCHAR PRIMARY KEY, erased_at TIMESTAMPTZ NOT NULL)")


def _build_docs(con: duckdb.DuckDBPyConnection) -> int:
    # The indexed table also carries what a search needs of each paper, so a query reads the
    # papers it matches in the same scan as the BM25 macro (no join with a second wide table).
    con.execute("""
        CREATE OR REPLACE TABLE sourcing_docs AS
        SELECT row_number() OVER (ORDER BY p.paper_id)::INTEGER AS doc_key,
               p.paper_id, p.title, p.abstract, p.tldr,
               array_to_string(coalesce(p.keywords, []), ' ; ') AS keywords_text,
               sp.venue, sp.year, sp.decision, sp.status, sp.citations, sp.impact, sp.link
        FROM papers p JOIN sourcing_papers sp USING (paper_id)
        ORDER BY p.paper_id""")
    con.execute("PRAGMA create_fts_index('sourcing_docs', 'paper_id', 'title', 'abstract', 'tldr', "
                "'keywords_text', stemmer = 'porter', stopwords = 'english', "
                "strip_accents = 1, lower = 1, overwrite = 1)")
    # Re-cluster the postings of DuckDB's index by term: a query's term lookups then read only the
    # row groups of its terms (zone maps) instead of every posting; same rows, half the latency.
    con.execute("CREATE OR REPLACE TABLE fts_main_sourcing_docs.terms AS "
                "SELECT * FROM fts_main_sourcing_docs.terms ORDER BY termid, docid")
    # What a search needs of each paper, keyed by the index's own document id: the query scores
    # the index's narrow `docs` table and joins these on an integer (cheaper than scoring the
    # wide indexed table).
    # The postings with term frequencies, term-major: what the in-memory index (memindex.py)
    # loads, so a server start does not group the index's ~10M token rows again.
    con.execute(f"CREATE OR REPLACE TABLE sourcing_postings AS {fts.POSTINGS_SQL}")
    con.execute(f"CREATE OR REPLACE TABLE sourcing_words AS {fts.WORDS_SQL}")
    con.execute("""
        CREATE OR REPLACE TABLE sourcing_doc_features AS
        SELECT d.docid, s.doc_key, s.paper_id, s.year, s.venue, s.title, s.decision, s.status,
               s.citations, s.impact, s.link
        FROM fts_main_sourcing_docs.docs d JOIN sourcing_docs s ON s.paper_id = d.name
        ORDER BY d.docid""")
    return con.execute("SELECT count(*) FROM sourcing_docs").fetchone()[0]


def _build_papers(con: duckdb.DuckDBPyConnection, max_year: int | None) -> None:
    # Impact of a paper = the mean of the signals its record has: citation percentile and review
    # score percentile within its venue-year (raw counts are not comparable across years or
    # venues), and the decision (oral > spotlight > accepted).
    cases = " ".join(f"WHEN '{k}' THEN {v}" for k, v in m.DECISION_IMPACT.items())
    year_filter = f"WHERE p.year <= {int(max_year)}" if max_year is not None else ""
    con.execute(f"""
        CREATE OR REPLACE TABLE sourcing_papers AS
        WITH p AS (
            SELECT p.paper_id, p.venue, p.year, p.title, p.status, p.decision, p.citations,
                   p.rating_avg, coalesce(p.site, p.pdf, p.doi) AS link,
                   greatest(coalesce(p.n_authors, 0), coalesce(m.n, 0)) AS n_authors
            FROM papers p
            LEFT JOIN (SELECT paper_id, count(*) AS n FROM mentions GROUP BY 1) m USING (paper_id)
            {year_filter}
        ), r AS (
            SELECT *,
                CASE WHEN citations IS NOT NULL THEN percent_rank() OVER (
                    PARTITION BY venue, year, citations IS NULL ORDER BY citations) END AS cit_pct,
                CASE WHEN rating_avg IS NOT NULL AND rating_avg > 0 THEN percent_rank() OVER (
                    PARTITION BY venue, year, rating_avg IS NULL OR rating_avg <= 0
                    ORDER BY rating_avg) END AS rating_pct,
                CASE decision {cases} ELSE NULL END AS decision_score
            FROM p
        )
        SELECT *,
            (coalesce(cit_pct, 0) + coalesce(rating_pct, 0) + coalesce(decision_score, 0))
              / nullif((cit_pct IS NOT NULL)::INT + (rating_pct IS NOT NULL)::INT
                       + (decision_score IS NOT NULL)::INT, 0) AS impact
        FROM r""")


def _build_authorship(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"""
        CREATE OR REPLACE TABLE sourcing_authorship AS
        SELECT mp.person_id, mp.paper_id, mp.position, sp.n_authors, sp.year,
               {POSITION_WEIGHT_SQL.replace('n_authors', 'sp.n_authors')
                                   .replace('position', 'mp.position')}::DOUBLE AS pos_weight,
               coalesce(mp.confidence, 1.0) AS link_confidence
        FROM mention_person mp JOIN sourcing_papers sp USING (paper_id)
        WHERE mp.person_id NOT IN (SELECT person_id FROM sourcing_erased)
        ORDER BY mp.paper_id, mp.position""")


def _country_table(con: duckdb.DuckDBPyConnection, have_orgs: bool) -> None:
    raw = {r[0] for r in con.execute(
        "SELECT DISTINCT aff_country FROM mentions WHERE aff_country IS NOT NULL").fetchall()}
    if have_orgs:
        raw |= {r[0] for r in con.execute(
            "SELECT DISTINCT country FROM orgs WHERE country IS NOT NULL").fetchall()}
    raw |= {part.strip() for r in raw for part in r.split(" + ")}
    rows = [(r, countries.to_code(r)) for r in sorted(raw)]
    con.execute("CREATE OR REPLACE TEMP TABLE sourcing_country_codes (raw VARCHAR, code VARCHAR)")
    if rows:
        con.executemany("INSERT INTO sourcing_country_codes VALUES (?, ?)", rows)


def _whereabouts(con: duckdb.DuckDBPyConnection, have: dict[str, bool]) -> None:
    """Where each person is now, best evidence first: careers, then per-author org, then text."""
    parts = []
    if has_table(con, "person_now") and have["orgs"]:
        # careers.now's open position newer than the papers, its source and URL named (else
        # the latest spells below, as before positions)
        parts.append("""
            SELECT n.person_id, 0 AS priority, 'careers' AS source, n.org_id,
                   o.name AS org_name, o.top_parent_id, tp.name AS parent_name, o.country,
                   n.since_year, n.seen_year, n.evidence
            FROM person_now n LEFT JOIN orgs o USING (org_id)
            LEFT JOIN orgs tp ON tp.org_id = o.top_parent_id
            WHERE n.basis = 'open_position'""")
    if have["spells"] and have["orgs"]:
        # an internship or an adviser's seat is not where someone is (careers: kind
        # 'internship' or 'affiliate')
        kinds = columns(con, "spells")
        spell_filter = ("WHERE coalesce(s.kind, '') NOT IN ('internship', 'affiliate')"
                        if "kind" in kinds else "")
        parts.append(f"""
            SELECT s.person_id, 1 AS priority, 'careers' AS source, s.org_id, o.name AS org_name,
                   o.top_parent_id, tp.name AS parent_name, o.country, s.start_year AS since_year,
                   coalesce(s.end_year, s.start_year) AS seen_year, NULL AS evidence
            FROM spells s LEFT JOIN orgs o USING (org_id)
            LEFT JOIN orgs tp ON tp.org_id = o.top_parent_id
            {spell_filter}
            QUALIFY coalesce(s.end_year, 9999) = max(coalesce(s.end_year, 9999))
                    OVER (PARTITION BY s.person_id)""")
    if have["mention_orgs"] and have["orgs"]:
        parts.append("""
            SELECT a.person_id, 2, 'latest_affiliation', mo.org_id, o.name, o.top_parent_id,
                   tp.name, o.country, NULL::INTEGER, a.year, NULL
            FROM sourcing_authorship a
            JOIN mention_orgs mo USING (paper_id, position)
            LEFT JOIN orgs o ON o.org_id = mo.org_id
            LEFT JOIN orgs tp ON tp.org_id = o.top_parent_id
            WHERE a.year IS NOT NULL
            QUALIFY a.year = max(a.year) OVER (PARTITION BY a.person_id)""")
    parts.append("""
        -- ' + ' joins the several affiliations of one author, with their countries in step
        SELECT a.person_id, 3, 'latest_affiliation', NULL::VARCHAR,
               unnest(string_split(coalesce(m.aff_norm, m.raw_affiliation), ' + ')),
               NULL::VARCHAR, NULL::VARCHAR, unnest(string_split(m.aff_country, ' + ')),
               NULL::INTEGER, a.year, NULL
        FROM sourcing_authorship a JOIN mentions m USING (paper_id, position)
        WHERE a.year IS NOT NULL AND coalesce(m.aff_norm, m.raw_affiliation) IS NOT NULL
        QUALIFY a.year = max(a.year) OVER (PARTITION BY a.person_id)""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE sourcing_where AS
        WITH obs(person_id, priority, source, org_id, org_name, top_parent_id, parent_name,
                 country, since_year, seen_year, evidence) AS ({" UNION ALL ".join(parts)}),
        best AS (SELECT * FROM obs QUALIFY priority = min(priority) OVER (PARTITION BY person_id))
        SELECT person_id, any_value(source) AS where_source,
               list(DISTINCT org_id ORDER BY org_id)
                   FILTER (WHERE org_id IS NOT NULL) AS current_org_ids,
               list(DISTINCT org_name ORDER BY org_name)
                   FILTER (WHERE org_name IS NOT NULL) AS current_orgs,
               list(DISTINCT top_parent_id ORDER BY top_parent_id)
                   FILTER (WHERE top_parent_id IS NOT NULL)
                   AS current_parent_ids,
               list(DISTINCT parent_name ORDER BY parent_name)
                   FILTER (WHERE parent_name IS NOT NULL) AS current_parents,
               list(DISTINCT c.code ORDER BY c.code)
                   FILTER (WHERE c.code IS NOT NULL) AS current_countries,
               min(since_year) AS since_year,
               max(seen_year) AS where_year,
               any_value(evidence) AS where_evidence
        FROM best LEFT JOIN sourcing_country_codes c ON c.raw = best.country
        GROUP BY person_id""")


def _career_stages(con: duckdb.DuckDBPyConnection) -> None:
    """`sourcing_stage`: each person's career stage by `stage.career_stage` (one rule in one
    place: Python, called once per person; ~200k people take a few seconds)."""
    import pyarrow as pa

    cur = con.execute("""
        WITH t AS (
            SELECT a.person_id, list({'y': a.year, 'r': m.role}) AS titles
            FROM sourcing_authorship a JOIN mentions m USING (paper_id, position)
            WHERE m.role IS NOT NULL AND trim(m.role) <> '' AND a.year IS NOT NULL
            GROUP BY 1
        )
        SELECT a.person_id, count(*) AS n, min(a.year), max(a.year),
               count(*) FILTER (WHERE a.n_authors > 1) AS n_multi,
               count(*) FILTER (WHERE a.n_authors > 1 AND a.position = a.n_authors - 1),
               any_value(t.titles)
        FROM sourcing_authorship a LEFT JOIN t USING (person_id)
        GROUP BY a.person_id""")
    ids, stages, by, evidence, coarse = [], [], [], [], []
    for pid, n, first, last, n_multi, n_last, titles in cur.fetchall():
        cs = career.career_stage(((t["y"], t["r"]) for t in titles or ()),
                                 career.Record(n, first, last, n_multi, n_last))
        ids.append(pid)
        stages.append(cs.stage)
        by.append(cs.decided_by)
        evidence.append(cs.evidence)
        coarse.append(cs.coarse)
    table = pa.table({"person_id": pa.array(ids, pa.string()),
                      "career_stage": pa.array(stages, pa.string()),
                      "stage_decided_by": pa.array(by, pa.string()),
                      "stage_evidence": pa.array(evidence, pa.string()),
                      "coarse_stage": pa.array(coarse, pa.string())})
    con.register("sourcing_stage_rows", table)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE sourcing_stage AS "
                    "SELECT * FROM sourcing_stage_rows")
    finally:
        con.unregister("sourcing_stage_rows")


def _build_people(con: duckdb.DuckDBPyConnection, have: dict[str, bool], ref_year: int) -> None:
    moves = ("""SELECT person_id, count(*) AS n_moves, max(first_year_at_to) AS last_move_year
                FROM moves WHERE coalesce(kind, '') NOT ILIKE '%intern%' GROUP BY 1"""
             if have["moves"] else
             "SELECT NULL::VARCHAR AS person_id, NULL::BIGINT AS n_moves, "
             "NULL::INT AS last_move_year WHERE false")
    names = ("SELECT person_id, canonical_name FROM persons" if have["persons"] else
             "SELECT NULL::VARCHAR AS person_id, NULL::VARCHAR AS canonical_name WHERE false")
    role_level = " ".join(f"WHEN '{k}' THEN {v}" for k, v in m.ROLE_LEVEL.items())
    con.execute(f"""
        CREATE OR REPLACE TABLE sourcing_people AS
        WITH a AS (
            SELECT a.*, sp.decision, sp.citations FROM sourcing_authorship a
            JOIN sourcing_papers sp USING (paper_id)
        ), base AS (
            SELECT person_id, count(*) AS n_papers,
                   count(*) FILTER (WHERE year > {ref_year} - {m.OUTPUT_YEARS}) AS n_recent,
                   count(*) FILTER (WHERE position = 0) AS n_first,
                   count(*) FILTER (WHERE position = n_authors - 1 AND n_authors > 1) AS n_last,
                   count(*) FILTER (WHERE decision = 'oral') AS n_orals,
                   count(*) FILTER (WHERE decision = 'spotlight') AS n_spotlights,
                   coalesce(sum(citations), 0) AS citations,
                   min(year) AS first_year, max(year) AS last_year,
                   avg(link_confidence) AS identity_confidence
            FROM a GROUP BY person_id
        ), co AS (
                        SELECT x.person_id, count(DISTINCT y.person_id) AS coauthors
            FROM sourcing_authorship x JOIN sourcing_authorship y
              ON x.paper_id = y.paper_id AND x.person_id <> y.person_id
            WHERE x.n_authors <= {m.COAUTHOR_MAX_AUTHORS}
            GROUP BY x.person_id
        ), roles AS (
            SELECT a.person_id, arg_max(m.role, (a.year, m.role)) AS role, max(a.year) AS role_year
            FROM sourcing_authorship a JOIN mentions m USING (paper_id, position)
            WHERE m.role IS NOT NULL AND trim(m.role) <> '' AND a.year IS NOT NULL
            GROUP BY a.person_id
        ), mv AS ({moves}), nm AS ({names}),
        names_fallback AS (
            -- the most frequent name; of equally frequent ones the last in sort order (mode()
            -- picks any of them, which changed from one build to the next)
            SELECT person_id, arg_max(raw_name, (cnt, raw_name)) AS raw_name
            FROM (SELECT a.person_id, m.raw_name, count(*) AS cnt
                  FROM sourcing_authorship a JOIN mentions m USING (paper_id, position)
                  GROUP BY ALL)
            GROUP BY person_id
        ), joined AS (
            SELECT b.*, coalesce(nm.canonical_name, nf.raw_name) AS name,
                   coalesce(co.coauthors, 0) AS coauthors, r.role, r.role_year,
                   {_role_class_sql('r.role')} AS role_class,
                   b.last_year - b.first_year + 1 AS years_active,
                   w.where_source, w.current_org_ids, w.current_orgs, w.current_parent_ids,
                   w.current_parents, w.current_countries, w.since_year, w.where_year,
                   w.where_evidence,
                   coalesce(mv.n_moves, 0) AS n_moves, mv.last_move_year
            FROM base b
            LEFT JOIN co USING (person_id) LEFT JOIN roles r USING (person_id)
            LEFT JOIN nm USING (person_id) LEFT JOIN names_fallback nf USING (person_id)
            LEFT JOIN sourcing_where w USING (person_id) LEFT JOIN mv USING (person_id)
        ), staged AS (
            -- career stage from all the evidence (stage.py; the role filter reads it too);
            -- peer comparisons use its coarse stage, else the length of the record
            SELECT joined.*, cs.career_stage, cs.stage_decided_by, cs.stage_evidence,
                CASE WHEN cs.coarse_stage IS NOT NULL THEN cs.coarse_stage
                     WHEN years_active <= 4 THEN 'early'
                     WHEN years_active <= 10 THEN 'mid'
                     ELSE 'senior' END AS stage,
                CASE WHEN cs.coarse_stage IS NOT NULL THEN 'career_stage'
                     ELSE 'years_active' END AS stage_source
            FROM joined LEFT JOIN sourcing_stage cs USING (person_id)
        )
        SELECT *,
            row_number() OVER (ORDER BY person_id)::INTEGER AS person_key,
            percent_rank() OVER (PARTITION BY stage ORDER BY n_papers) AS pct_papers,
            percent_rank() OVER (PARTITION BY stage ORDER BY n_orals) AS pct_orals,
            percent_rank() OVER (PARTITION BY stage ORDER BY citations) AS pct_citations,
            count(*) OVER (PARTITION BY stage) AS stage_size,
            -- the components of the score that do not depend on the query (see model.py)
            least(1.0, ln(1 + n_recent) / ln(1 + {m.OUTPUT_FULL})) AS v_output,
            least(1.0, ln(1 + coauthors) / ln(1 + {m.NETWORK_FULL})) AS v_network,
            CASE WHEN stage_source = 'career_stage' THEN CASE career_stage {role_level} ELSE 0.4 END
                 ELSE least(1.0, years_active / {m.SENIORITY_FULL_YEARS}) END AS v_seniority,
            CASE WHEN where_source = 'careers' AND since_year IS NOT NULL THEN
                {m.MOBILITY_TENURE_WEIGHT}
                    * least(1.0, greatest(0, {ref_year} - since_year - 1) / 4.0)
                + {m.MOBILITY_MOVES_WEIGHT} * least(n_moves, 2) / 2.0
                ELSE 0.0 END AS v_mobility
        FROM staged ORDER BY person_id""")
    # A search fetches the wide rows of the ~20 people it shows by key: an ART index turns that
    # from a scan of every person (~28 ms) into lookups (~9 ms).
    con.execute("CREATE INDEX sourcing_people_key ON sourcing_people (person_key)")
    # Narrow tables with integer keys for the query: joining and grouping integers instead of
    # the wide tables' string ids made a search several times faster.
    con.execute("""CREATE OR REPLACE TABLE sourcing_person_static AS
                   SELECT person_key, person_id, v_output, v_network, v_seniority, v_mobility
                   FROM sourcing_people ORDER BY person_key""")
    con.execute("""CREATE OR REPLACE TABLE sourcing_author_keys AS
                   SELECT d.doc_key, p.person_key, a.pos_weight::FLOAT AS pos_weight,
                          a.position::SMALLINT AS position, a.n_authors::SMALLINT AS n_authors
                   FROM sourcing_authorship a JOIN sourcing_docs d USING (paper_id)
                   JOIN sourcing_people p USING (person_id)
                   ORDER BY d.doc_key, a.position""")


def build_index(con: duckdb.DuckDBPyConnection, progress: Any = None,
                max_year: int | None = None) -> dict[str, Any]:
    """(Re)build the sourcing tables and the FTS index; `max_year` indexes only records up to it."""

    def step(done: int, detail: str) -> None:
        if progress is not None:
            progress("index", done, 5, detail)

    if not has_table(con, "papers"):
        raise StoreError("no papers in this store: run `talentgraph build` first")
    fts.load(con)
    # DuckDB's own progress bar would print over the build's progress display
    con.execute("SET enable_progress_bar = false")
    _ensure_erased(con)
    have = {t: has_rows(con, t) for t in ("persons", "mention_person", "orgs", "mention_orgs",
                                          "spells", "moves")}
    step(0, "paper impact")
    _build_papers(con, max_year)
    step(1, "full-text index")
    n_docs = _build_docs(con)
    ref_year = con.execute("SELECT max(year) FROM sourcing_papers").fetchone()[0] or 0
    n_people = 0
    if have["mention_person"]:
        step(2, "authorship")
        _build_authorship(con)
        step(3, "whereabouts")
        _country_table(con, have["orgs"])
        _whereabouts(con, have)
        step(4, "people")
        _career_stages(con)
        _build_people(con, have, ref_year)
        n_people = con.execute("SELECT count(*) FROM sourcing_people").fetchone()[0]
    else:
        for table in ("sourcing_authorship", "sourcing_people", "sourcing_person_static",
                      "sourcing_author_keys"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    meta = {"ref_year": ref_year, "max_year": max_year, "people": n_people,
            "index_version": INDEX_VERSION,
            "built_at": datetime.now(UTC).isoformat(),
            **{f"have_{k}": v for k, v in have.items()}}
    con.execute("CREATE OR REPLACE TABLE sourcing_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.executemany("INSERT INTO sourcing_meta VALUES (?, ?)",
                    [(k, None if v is None else str(v)) for k, v in meta.items()])
    step(5, "done")
    return {"documents": n_docs, "people": n_people, "ref_year": ref_year,
            "careers": "yes" if have["spells"] else "no (latest affiliation used)"}


def index_stage(con: duckdb.DuckDBPyConnection, progress: Any) -> dict[str, Any]:
    """The `index` derived stage of the build."""
    return build_index(con, progress)


def meta(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """What the index was built from; raises StoreError when there is no index yet."""
    try:
        return dict(con.execute("SELECT key, value FROM sourcing_meta").fetchall())
    except duckdb.CatalogException:
        raise StoreError("this store has no search index: run `talentgraph build` "
                         "(the `index` stage builds it)") from None


def erase_from_index(con: duckdb.DuckDBPyConnection, person_id: str) -> dict[str, int]:
    """Remove a person from the sourcing index (erasure request); rebuilds keep them out.

    Papers stay searchable (they are public records of many authors), but the person no longer
    appears in rankings, dossiers or peer statistics.
    """
    _ensure_erased(con)
    # the first erasure's time stays: re-applying it after each build must not change the
    # table, or the index stage (which reads it) would run again on every build
    con.execute("INSERT INTO sourcing_erased VALUES (?, ?) ON CONFLICT DO NOTHING",
                [person_id, datetime.now(UTC)])
    removed = {}
    if has_table(con, "sourcing_author_keys"):
        removed["sourcing_author_keys"] = con.execute(
            "DELETE FROM sourcing_author_keys WHERE person_key IN "
            "(SELECT person_key FROM sourcing_people WHERE person_id = ?)",
            [person_id]).fetchone()[0]
    for table in ("sourcing_authorship", "sourcing_people", "sourcing_person_static"):
        if has_table(con, table):
            removed[table] = con.execute(f"DELETE FROM {table} WHERE person_id = ?",
                                         [person_id]).fetchone()[0]
    return removed

"""Per-mention evidence for author disambiguation, built as DuckDB tables (SQL, no pair loops).

pp_names     one row per distinct raw name, parsed once in Python (resolve/names.py)
pp_mentions  one row per author mention: name parts, year, coauthor name keys, organisation
             keys, topic terms, the paper, and the person-level ids it carries
Everything after the name parse is plain SQL so the same steps can run on Spark later.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from talentgraph.resolve.names import EMPTY, columns, parse

# Webmail and generic domains say nothing about where someone works.
WEBMAIL = ("gmail.com", "qq.com", "163.com", "126.com", "hotmail.com", "outlook.com",
           "yahoo.com", "foxmail.com", "live.com", "icloud.com", "protonmail.com", "mail.com",
           "sina.com", "yeah.net", "aliyun.com", "googlemail.com", "me.com", "msn.com")
# Title words too common in ML titles to say anything about topic (document frequency cut
# below removes the rest of the generic vocabulary, this list only covers short corpora).
STOPWORDS = ("with", "from", "that", "this", "into", "over", "under", "using", "based", "towards",
             "toward", "through", "their", "when", "what", "which", "without", "beyond", "via",
             "learning", "neural", "network", "networks", "model", "models", "deep", "data",
             "approach", "method", "methods", "efficient", "robust", "improving", "improved",
             "analysis", "study", "novel", "framework", "large", "language", "task", "tasks",
             "training", "better", "more", "than", "does", "they", "your", "each", "other")
MAX_TERM_SHARE = 0.005  # a title term on more than 0.5% of papers is too generic to link people


def _sql_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def build_names(con: duckdb.DuckDBPyConnection, source: str = "mentions") -> int:
    """Parse every distinct raw name once into pp_names; returns how many."""
    raws = [r[0] for r in con.execute(f"SELECT DISTINCT raw_name FROM {source}").fetchall()]
    rows = [columns(parse(r)) for r in raws]
    table = pa.table({"raw_name": raws,
                      **{c: [row[c] for row in rows] for c in columns(EMPTY)}})
    con.register("pp_names_arrow", table)
    con.execute("CREATE OR REPLACE TEMP TABLE pp_names AS SELECT * FROM pp_names_arrow")
    con.unregister("pp_names_arrow")
    return len(raws)


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                            [name]).fetchone()[0])


def _domain_sql(col: str) -> str:
    """Registrable part of a domain: 'andrew.cmu.edu' -> 'cmu.edu', 'cs.ox.ac.uk' -> 'ox.ac.uk'."""
    parts = f"string_split(lower(trim({col})), '.')"
    return (f"CASE WHEN {col} IS NULL OR trim({col}) = '' THEN NULL "
            f"WHEN len({parts}) >= 3 AND length({parts}[-1]) = 2 AND {parts}[-2] IN "
            f"('ac','edu','co','com','org','gov','net','or','ne','go') "
            f"THEN array_to_string({parts}[-3:], '.') "
            f"ELSE array_to_string({parts}[-2:], '.') END")


def build_mentions(con: duckdb.DuckDBPyConnection, source: str = "mentions") -> int:
    """Build pp_mentions from the ingested mentions (plus mention_orgs when the table exists)."""
    org_rows = ""
    if has_table(con, "mention_orgs"):
        # Organisation ids from the organisations stage are the best org evidence we have.
        org_rows = ("UNION ALL SELECT paper_id, position, 'o:' || org_id FROM mention_orgs "
                    "WHERE org_id IS NOT NULL")
    aff_norm = "regexp_replace(lower(trim({c})), '[^a-z0-9]+', ' ', 'g')"
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE pp_orgkeys AS
    WITH raw AS (
        SELECT paper_id, position, 'a:' || {aff_norm.format(c='aff_norm')} AS k
          FROM {source} WHERE aff_norm IS NOT NULL AND trim(aff_norm) <> ''
        UNION ALL
        SELECT paper_id, position, 'a:' || {aff_norm.format(c='raw_affiliation')}
          FROM {source} WHERE aff_norm IS NULL AND raw_affiliation IS NOT NULL
               AND trim(raw_affiliation) <> '' AND length(raw_affiliation) < 120
        UNION ALL
        SELECT paper_id, position, 'd:' || {_domain_sql('affiliation_domain')} FROM {source}
         WHERE affiliation_domain IS NOT NULL
        UNION ALL
        SELECT paper_id, position, 'd:' || {_domain_sql('email_domain')} FROM {source}
         WHERE email_domain IS NOT NULL
        {org_rows}
    )
    SELECT paper_id, position, list(DISTINCT k) AS org_keys FROM raw
     WHERE k IS NOT NULL AND k NOT IN (SELECT 'd:' || unnest({_sql_list(WEBMAIL)}))
       AND k NOT IN ('a: ', 'a:', 'd:')
     GROUP BY ALL
    """)
    n_papers = con.execute("SELECT count(*) FROM papers").fetchone()[0] or 1
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE pp_terms AS
    WITH words AS (
        SELECT paper_id, unnest(list_distinct(list_concat(
                   regexp_split_to_array(lower(strip_accents(title)), '[^a-z0-9]+'),
                   list_transform(coalesce(keywords, []), x -> lower(trim(x)))))) AS w
          FROM papers
    ), kept AS (
        SELECT * FROM words
         WHERE length(w) >= 4 AND w NOT IN (SELECT unnest({_sql_list(STOPWORDS)}))
    ), df AS (SELECT w, count(*) AS n FROM kept GROUP BY w)
    SELECT paper_id, list(DISTINCT w) AS terms FROM kept JOIN df USING (w)
     WHERE df.n <= greatest(3, {MAX_TERM_SHARE} * {n_papers}) GROUP BY paper_id
    """)
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE pp_coauthors AS
    SELECT a.paper_id, a.position,
           -- full names: a family name + initial ('wang|y') is shared by too many people
           list(DISTINCT CASE WHEN nb.given_is_initial OR nb.given = '' THEN nb.bk
                              ELSE nb.first_last END) AS coauthor_keys
      FROM {source} a JOIN {source} b ON a.paper_id = b.paper_id AND a.position <> b.position
      JOIN pp_names nb ON nb.raw_name = b.raw_name
     WHERE nb.family <> ''
     GROUP BY ALL
    """)
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE pp_mentions AS
    SELECT m.paper_id || '#' || m.position AS mkey, m.paper_id, m.position, m.source_file,
           m.record_id, m.year, m.raw_name,
           n.given, n.middle, n.family, n.given_is_initial, n.full_name, n.first_last,
           n.last_first, n.bk,
           -- how ambiguous the name is: the number of mentions this given+family name would
           -- have if given and family names combined at random. Unlike the name's own count it
           -- is not inflated by one prolific person ('Sergey Levine' is rare, 'Yang Liu' is
           -- not); on OpenReview profiles it separates names held by one profile from names
           -- held by several (resolve/people/model.py)
           count(*) OVER (PARTITION BY n.given) * count(*) OVER (PARTITION BY n.family)
             / count(*) OVER () AS name_amb,
           nullif(trim(m.openreview_id), '') AS openreview_id,
           nullif(trim(m.orcid), '') AS orcid,
           nullif(trim(m.dblp), '') AS dblp,
           nullif(trim(m.google_scholar), '') AS google_scholar,
           nullif(trim(m.acl_id), '') AS acl_id,
           nullif(trim(m.ieee_id), '') AS ieee_id,
           nullif(lower(trim(m.email)), '') AS email,
           c.coauthor_keys, o.org_keys, t.terms
      FROM {source} m
      JOIN pp_names n ON n.raw_name = m.raw_name
      LEFT JOIN pp_coauthors c ON c.paper_id = m.paper_id AND c.position = m.position
      LEFT JOIN pp_orgkeys o ON o.paper_id = m.paper_id AND o.position = m.position
      LEFT JOIN pp_terms t ON t.paper_id = m.paper_id
    """)
    for t in ("pp_orgkeys", "pp_terms", "pp_coauthors"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return con.execute("SELECT count(*) FROM pp_mentions").fetchone()[0]

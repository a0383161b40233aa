"""The record rules of the paperlists connector, as DuckDB SQL over records read by DuckDB.

Why SQL: a Python loop over 700k author mentions costs several times the bare JSON parse; DuckDB
reads the gzip'd arrays with its own parser (both cores) and applies the rules below as
vectorised list and string operations.

How a batch flows (one statement each, every table keyed by `row`, the record's row in `r`):
- `r`: one row per array element, read by `read_json` with every field typed JSON, so each field
  is parsed once; kept as its text value (`"f"`) and a one-byte JSON type code (`"t_f"`, the
  first character of its JSON text: cheaper than `json_type`, see `TYPE_CODES`).
- `rv` (validity, record id), `rd`/`rk` (duplicates), `aff_mode` (files whose `aff` is a set);
- `k`: the kept records with their author list and parallel fields split and aligned;
- papers, mentions and problems are selected from `k` (see `papers_select`, `mentions_select`,
  `problems_sql`); the writer inserts them in one transaction per batch.
The rules are those in the module docstring of `paperlists.py`.
"""

from __future__ import annotations

# Fields read from each record; every other field is ignored. `gender` is deliberately absent:
# protected attributes are never stored, so nothing downstream can score on them.
FIELDS = [
    "id", "ssid", "pid", "title", "author", "authors", "aff", "affs", "aff_domain", "authorids",
    "position", "email", "dblp", "google_scholar", "orcid", "homepage", "linkedin",
    "aff_unique_index", "aff_unique_norm", "aff_country_unique_index", "aff_country_unique",
    "status", "abstract", "tldr", "keywords", "primary_area", "track", "gs_citation",
    "rating_avg", "site", "pdf", "doi",
]
# Fields whose presence alone tells the record family (see `paperlists.classify_family`).
MARKER_FIELDS = ["or_profile", "sess"]
NUMBER_FIELDS = {"gs_citation", "rating_avg"}
# Text fields with their length limits; longer values are dropped with a field problem.
TEXT_LIMITS = {
    "status": 200, "track": 200, "abstract": 100_000, "tldr": 100_000, "keywords": 100_000,
    "primary_area": 2_000, "site": 2_000, "pdf": 2_000, "doi": 2_000,
}
# Parallel per-author fields: (record field, mention column).
PARALLEL = [
    ("position", "role"), ("aff_domain", "affiliation_domain"), ("email", "email_domain"),
    ("dblp", "dblp"), ("google_scholar", "google_scholar"), ("orcid", "orcid"),
    ("homepage", "homepage"), ("linkedin", "linkedin"),
]
CONTROL = r"[\x00-\x08\x0b-\x1f\x7f-\x9f\x{2028}\x{2029}]"
# JSON type codes: the code point of the first character of a value's JSON text.
TYPE_CODES = {"text": 34, "list": 91, "object": 123, "true": 116, "false": 102, "null": 110}
TEXT, LIST, OBJECT = 34, 91, 123

MACROS = rf"""
CREATE OR REPLACE TEMP MACRO tg_clean(x) AS
    CASE WHEN regexp_matches(x, '[\x00-\x1f\x7f-\x9f\x{{2028}}\x{{2029}}&]|\s\s')
         THEN trim(regexp_replace(CASE WHEN contains(x, '&') THEN tg_unescape(x) ELSE x END,
                                  '({CONTROL}|\s)+', ' ', 'g'))
         ELSE trim(x) END;
CREATE OR REPLACE TEMP MACRO tg_scalar(t) AS t = 34 OR t = 45 OR (t >= 48 AND t <= 57);
CREATE OR REPLACE TEMP MACRO tg_kind(t) AS CASE
    WHEN t IS NULL THEN 'nothing' WHEN t = 34 THEN 'text' WHEN t = 91 THEN 'a list'
    WHEN t = 123 THEN 'an object' WHEN t = 116 OR t = 102 THEN 'true/false'
    WHEN t = 110 THEN 'null' ELSE 'a number' END;
CREATE OR REPLACE TEMP MACRO tg_has_control(x) AS regexp_matches(x, '{CONTROL}');
CREATE OR REPLACE TEMP MACRO tg_parts(x) AS list_transform(string_split(x, ';'), p -> trim(p));
CREATE OR REPLACE TEMP MACRO tg_nonempty(l) AS list_filter(l, p -> p <> '');
CREATE OR REPLACE TEMP MACRO tg_undouble(l, n) AS
    CASE WHEN len(l) = 2 * n AND n > 0 AND list_slice(l, 1, n) = list_slice(l, n + 1, 2 * n)
         THEN list_slice(l, 1, n) ELSE l END;
CREATE OR REPLACE TEMP MACRO tg_decision(s) AS CASE
    WHEN s IS NULL OR s = '' THEN 'unknown'
    WHEN contains(lower(s), 'withdraw') THEN 'withdrawn'
    WHEN contains(lower(s), 'reject') OR contains(lower(s), 'desk') THEN 'rejected'
    WHEN contains(lower(s), 'oral') OR contains(lower(s), 'award')
         OR contains(lower(s), 'best paper') THEN 'oral'
    WHEN contains(lower(s), 'spotlight') OR contains(lower(s), 'highlight') THEN 'spotlight'
    ELSE 'accepted' END;
CREATE OR REPLACE TEMP MACRO tg_id_kind(v) AS CASE
    WHEN v LIKE '~%' THEN 'openreview'
    WHEN regexp_full_match(v, '[^@\s;]+@[^@\s;]+\.[^@\s;]+') THEN 'email'
    WHEN regexp_full_match(v, '/[a-z]/[a-z0-9-]+/?') THEN 'acl'
    WHEN regexp_full_match(v, '/[0-9]+') THEN 'ieee'
    WHEN regexp_matches(v, '[0-9]{{4}}-[0-9]{{4}}-[0-9]{{4}}-[0-9]{{3}}[0-9X]') THEN 'orcid'
    WHEN v LIKE '%/Authors' THEN 'group'
    ELSE 'unknown' END;
"""


def json_columns() -> str:
    """The `columns` argument of `read_json`: every field read as raw JSON."""
    return "{" + ", ".join(f"'{f}': 'JSON'" for f in FIELDS + MARKER_FIELDS) + "}"


def record_columns() -> str:
    """Per field: its text value and JSON type code; `jt` is NULL where no field was found
    (an element that is not an object, or an object with none of our fields: see
    `paperlists._fix_element_types`)."""
    cols = ",\n    ".join(f""""{f}"->>'$' AS "{f}", ascii("{f}"::VARCHAR) AS "t_{f}\""""
                          for f in FIELDS)
    marks = ", ".join(f'"{f}" IS NOT NULL AS "has_{f}"' for f in MARKER_FIELDS)
    found = " OR ".join(f'"{f}" IS NOT NULL' for f in FIELDS + MARKER_FIELDS)
    return f"""{cols},
    {marks},
    CASE WHEN ascii("rating_avg"::VARCHAR) = 91
         THEN TRY_CAST("rating_avg"->>'$[0]' AS DOUBLE) END AS rating0,
    CASE WHEN {found} THEN 123 END AS jt"""


def _record_sql() -> str:
    """Per-record validity, ids and de-duplication (narrow tables)."""
    return f"""
CREATE OR REPLACE TEMP TABLE rv AS
SELECT row, source_file, rec_idx, "title", author_key, author_raw, rid0,
    CASE
        WHEN jt IS DISTINCT FROM 123 THEN 'expected a JSON object, found ' || tg_kind(jt)
        WHEN "title" IS NULL OR ("t_title" = 34 AND trim("title") = '')
            THEN 'record has no title'
        WHEN NOT tg_scalar("t_title")
            THEN 'expected text, found ' || tg_kind("t_title")
        WHEN length("title") > 2000
            THEN 'title is ' || format('{{:,}}', length("title")) || ' characters (limit 2,000)'
        WHEN author_raw IS NULL OR (author_type = 34 AND trim(author_raw, ' ;,') = '')
            THEN 'record has no authors'
        WHEN author_type <> 34
            THEN 'expected `;`-separated text, found ' || tg_kind(author_type)
    END AS record_error,
    CASE WHEN jt IS DISTINCT FROM 123 THEN NULL
         WHEN "title" IS NULL OR NOT tg_scalar("t_title") OR length("title") > 2000
              OR ("t_title" = 34 AND trim("title") = '') THEN 'title'
         ELSE author_key END AS error_field
FROM (
    SELECT rowid AS row, source_file, rowid - min(rowid) OVER (PARTITION BY source_file) AS rec_idx,
        jt, "title", "t_title",
        CASE WHEN "t_author" IS NULL AND "t_authors" IS NOT NULL THEN 'authors'
             ELSE 'author' END AS author_key,
        CASE WHEN "t_author" IS NOT NULL THEN "author" ELSE "authors" END AS author_raw,
        CASE WHEN "t_author" IS NOT NULL THEN "t_author" ELSE "t_authors" END AS author_type,
        left(regexp_replace(coalesce(
            CASE WHEN tg_scalar("t_id") THEN nullif(trim("id"), '') END,
            CASE WHEN tg_scalar("t_ssid") THEN nullif(trim("ssid"), '') END,
            CASE WHEN tg_scalar("t_pid") THEN nullif(trim("pid"), '') END,
            'h_' || left(sha1(coalesce("title", '') || '|'
                              || coalesce("author", "authors", '')), 12)),
            '{CONTROL}', '', 'g'), 200) AS rid0
    FROM r
);

CREATE OR REPLACE TEMP TABLE rd AS
SELECT row, source_file, rec_idx, rid0, rn0, first_idx,
    CASE WHEN rn0 = 1 THEN rid0 ELSE rid0 || '~' || left(sha1("title"), 8) END AS rid,
    rn0 > 1 AND "title" = first_title AS same_as_first
FROM (
    SELECT row, source_file, rec_idx, rid0, "title",
        row_number() OVER w AS rn0, first_value("title") OVER w AS first_title,
        first_value(rec_idx) OVER w AS first_idx
    FROM rv WHERE record_error IS NULL
    WINDOW w AS (PARTITION BY source_file, rid0 ORDER BY rec_idx)
);

CREATE OR REPLACE TEMP TABLE rk AS
SELECT row, source_file, rec_idx, rid,
       row_number() OVER (PARTITION BY source_file, rid ORDER BY rec_idx) AS rn
FROM rd WHERE NOT same_as_first;

CREATE OR REPLACE TEMP TABLE aff_mode AS
SELECT source_file,
       count(*) FILTER (WHERE len(ne) >= 2) >= 20
       AND count(*) FILTER (WHERE len(ne) >= 2 AND len(list_distinct(ne)) < len(ne)) = 0
       AS aff_is_set
FROM (SELECT source_file, tg_nonempty(tg_parts("aff")) AS ne FROM r
      WHERE "t_aff" = 34 AND contains("aff", ';'))
GROUP BY source_file;
"""


def _kept_sql() -> str:
    """`k`: kept records, their author list split, parallel fields split and aligned.

    Costly cleaning runs on a CASE's result, not inside its branches (`CASE WHEN ok THEN
    clean(x) END` -> `clean(CASE WHEN ok THEN x END)`, the same value for a NULL-preserving
    clean): DuckDB evaluates a branch on a selection of rows, about twice as slow here.

    Built in materialised steps on purpose: DuckDB inlines a subquery's expressions into every
    reference above it, and the macros here (`tg_clean`, `tg_undouble`) refer to their argument
    several times, so one nested statement recomputed each cleaned or split value up to ten
    times (measured: 5x slower).
    """
    parallel = PARALLEL + [("authorids", None)]
    # A field counts only when some part is non-blank: a character other than ';' and the
    # spaces `trim` removes (Unicode space separators).
    nonblank = r"'[^;\p{Zs}]'"
    split = ",\n    ".join(
        f"""tg_parts(tg_clean(CASE WHEN "t_{f}" = 34 AND length("{f}") <= 100000
                                   AND regexp_matches("{f}", {nonblank})
                              THEN "{f}" END)) AS "q_{f}\""""
        for f, _ in parallel)
    carry = ", ".join(f'"q_{f}"' for f, _ in parallel)
    undouble = ", ".join(f'tg_undouble("q_{f}", n) AS "p_{f}"' for f, _ in parallel)
    raw = ", ".join(f'"{f}", "t_{f}"' for f in [f for f, _ in parallel] + [
        "aff_unique_index", "aff_unique_norm", "aff_country_unique_index", "aff_country_unique"])
    return f"""
CREATE OR REPLACE TEMP TABLE k_in AS
SELECT rk.row, rk.source_file, rk.rec_idx, rk.rid, rv.author_key, rv.author_raw,
    tg_clean(rv.author_raw) AS authors_clean, {raw},
    CASE WHEN "t_aff" = 34 AND trim("aff", ' ;') <> '' THEN 'aff'
         WHEN "t_affs" = 34 AND trim("affs", ' ;') <> '' THEN 'affs' END AS aff_key,
    CASE WHEN "t_aff" = 34 AND trim("aff", ' ;') <> '' THEN "aff"
         WHEN "t_affs" = 34 AND trim("affs", ' ;') <> '' THEN "affs" END AS aff_value
FROM rk JOIN r ON r.rowid = rk.row JOIN rv ON rv.row = rk.row
WHERE rk.rn = 1;

CREATE OR REPLACE TEMP TABLE k0 AS
SELECT row, source_file, rec_idx, rid, author_key, author_raw,
    list_transform(CASE WHEN contains(authors_clean, ';') THEN string_split(authors_clean, ';')
                        ELSE string_split(authors_clean, ',') END, x -> trim(x)) AS names0,
    aff_key, coalesce(m.aff_is_set, false) AND aff_key = 'aff' AS aff_as_set,
    {split},
    tg_parts(tg_clean(CASE WHEN aff_key = 'aff'
              AND contains(aff_value, 'Under double-blind review')
              AND list_contains(tg_nonempty(tg_parts(aff_value)), 'Under double-blind review')
         THEN NULL ELSE aff_value END)) AS p_aff,
    CASE WHEN "t_aff_unique_index" = 34 AND "t_aff_unique_norm" = 34
         THEN tg_parts("aff_unique_index") END AS p_uidx,
    tg_parts(tg_clean(CASE WHEN "t_aff_unique_norm" = 34 THEN "aff_unique_norm" END))
        AS p_unorm,
    CASE WHEN "t_aff_country_unique_index" = 34 AND "t_aff_country_unique" = 34
         THEN tg_parts("aff_country_unique_index") END AS p_cidx,
    tg_parts(tg_clean(CASE WHEN "t_aff_country_unique" = 34 THEN "aff_country_unique" END))
        AS p_cnorm
FROM k_in LEFT JOIN aff_mode m USING (source_file);

CREATE OR REPLACE TEMP TABLE k1 AS
SELECT * EXCLUDE (names0), len(names) AS n
FROM (SELECT *, tg_undouble(names0, len(names0) // 2) AS names FROM k0);

CREATE OR REPLACE TEMP TABLE k AS
SELECT *,
    p_aff IS NOT NULL AND NOT aff_as_set AND len(p_aff) = n AS aff_aligned,
    "p_authorids" IS NOT NULL AND len("p_authorids") = n AS ids_aligned,
    CASE WHEN "p_authorids" IS NOT NULL AND len("p_authorids") = n
         THEN list_transform("p_authorids", v -> tg_id_kind(v)) END AS id_kinds
FROM (SELECT * EXCLUDE ({carry}), {undouble} FROM k1);

-- The kept records with their raw fields, for papers and field problems.
CREATE OR REPLACE TEMP VIEW kv AS
SELECT r.* EXCLUDE (source_file), k.* FROM k JOIN r ON r.rowid = k.row;
"""


def _text(f: str, limit: int) -> str:
    # The CASE picks the input and the cleaning runs outside it: the same values, and half the
    # time of cleaning inside a CASE branch (measured on abstracts: 0.47 -> 0.26 s a batch).
    return (f"""nullif(tg_clean(CASE WHEN tg_scalar("t_{f}") AND length("{f}") <= {limit}
                                     THEN "{f}" END), '')""")


def papers_select() -> str:
    """The rows of `papers` for the kept records of the batch."""
    return f"""
SELECT
    regexp_replace(source_file, '\\.json(\\.gz)?$', '') || '/' || rid AS paper_id,
    source_file, rid AS record_id, rec_idx AS record_index,
    $venue_of(source_file) AS venue, $year_of(source_file) AS year,
    tg_clean("title") AS title,
    {_text("abstract", 100_000)} AS abstract,
    {_text("tldr", 100_000)} AS tldr,
    coalesce(tg_nonempty(list_transform(string_split(tg_clean(
        CASE WHEN "t_keywords" = 34 AND length("keywords") <= 100000 THEN "keywords" END),
        ';'), k -> trim(k))), []) AS keywords,
    {_text("primary_area", 2000)} AS primary_area,
    status, tg_decision(status) AS decision,
    {_text("track", 200)} AS track,
    -- gs_citation -1 is the corpus' "not looked up" (6,168 records, e.g. icml2025): unknown,
    -- not a count (summed, it made "-5 citations")
    CASE WHEN isfinite(TRY_CAST("gs_citation" AS DOUBLE)) AND tg_scalar("t_gs_citation")
              AND TRY_CAST("gs_citation" AS DOUBLE) >= 0
         THEN TRY_CAST(TRY_CAST("gs_citation" AS DOUBLE) AS INTEGER) END AS citations,
    CASE WHEN "t_rating_avg" = 91 THEN rating0
         WHEN tg_scalar("t_rating_avg") AND isfinite(TRY_CAST("rating_avg" AS DOUBLE))
         THEN TRY_CAST("rating_avg" AS DOUBLE) END AS rating_avg,
    n AS n_authors,
    {_text("site", 2000)} AS site,
    {_text("pdf", 2000)} AS pdf,
    {_text("doi", 2000)} AS doi,
    CASE WHEN p_aff IS NOT NULL AND NOT aff_aligned
         THEN list_sort(list_distinct(tg_nonempty(p_aff)))
         ELSE [] END AS aff_set,
    CASE WHEN "p_authorids" IS NOT NULL AND NOT ids_aligned
         THEN list_sort(list_distinct(tg_nonempty("p_authorids"))) ELSE [] END AS id_set,
    $now AS ingested_at
FROM (SELECT * REPLACE ({_text("status", 200)} AS status) FROM kv)
"""


def mentions_select() -> str:
    """The rows of `mentions`: one per author with a usable name."""
    par = ",\n    ".join(
        f"""CASE WHEN len("p_{f}") = n THEN nullif("p_{f}"[pos + 1], '') END AS "{col}\""""
        for f, col in PARALLEL if col != "email_domain"
    )
    return f"""
SELECT paper_id, pos AS position, raw_name, raw_affiliation, aff_norm, aff_country,
    affiliation_domain,
    CASE WHEN id_kind = 'email' THEN lower(author_id) END AS email,
    coalesce(CASE WHEN id_kind = 'email' THEN lower(split_part(author_id, '@', 2)) END,
             email_field) AS email_domain,
    role,
    CASE WHEN id_kind = 'openreview' THEN author_id END AS openreview_id,
    CASE WHEN id_kind = 'acl' THEN trim(author_id, '/') END AS acl_id,
    CASE WHEN id_kind = 'ieee' THEN trim(author_id, '/') END AS ieee_id,
    dblp, google_scholar,
    coalesce(orcid, CASE WHEN id_kind = 'orcid' THEN regexp_extract(author_id,
             '[0-9]{{4}}-[0-9]{{4}}-[0-9]{{4}}-[0-9]{{3}}[0-9X]') END) AS orcid,
    homepage, linkedin, aff_aligned, source_file, rid AS record_id,
    $year_of(source_file) AS year, $now AS ingested_at
FROM (
    SELECT source_file, rid, pos,
        regexp_replace(source_file, '\\.json(\\.gz)?$', '') || '/' || rid AS paper_id,
        names[pos + 1] AS raw_name,
        CASE WHEN aff_aligned THEN nullif(CASE WHEN aff_key = 'affs'
                  THEN replace(p_aff[pos + 1], '+', ' + ') ELSE p_aff[pos + 1] END, '')
             END AS raw_affiliation,
        CASE WHEN len(p_uidx) = n THEN nullif(array_to_string(list_filter(list_transform(
                  string_split(p_uidx[pos + 1], '+'),
                  x -> p_unorm[TRY_CAST(trim(x) AS INTEGER) + 1]),
                  y -> y IS NOT NULL AND y <> ''), ' + '), '') END AS aff_norm,
        CASE WHEN len(p_cidx) = n THEN nullif(array_to_string(list_filter(list_transform(
                  string_split(p_cidx[pos + 1], '+'),
                  x -> p_cnorm[TRY_CAST(trim(x) AS INTEGER) + 1]),
                  y -> y IS NOT NULL AND y <> ''), ' + '), '') END AS aff_country,
        {par},
        CASE WHEN len("p_email") = n THEN nullif(lower(trim("p_email"[pos + 1])), '') END
            AS email_field,
        CASE WHEN ids_aligned THEN nullif("p_authorids"[pos + 1], '') END AS author_id,
        CASE WHEN ids_aligned AND "p_authorids"[pos + 1] <> '' THEN id_kinds[pos + 1] END
            AS id_kind,
        aff_aligned AND nullif(p_aff[pos + 1], '') IS NOT NULL AS aff_aligned
    FROM (SELECT *, unnest(range(n)) AS pos FROM k)
)
WHERE raw_name <> '' AND length(raw_name) <= 300
"""


def _problem(level: str, field: str | None, reason_sql: str, where: str,
             table: str = "kv", excerpt_sql: str = "NULL", rid: str = "NULL") -> str:
    fld = "NULL" if field is None else f"'{field}'"
    return (f"SELECT source_file, '{level}' AS level, rec_idx AS record_index, "
            f"{rid} AS record_id, {fld} AS field, {reason_sql} AS reason, "
            f"left({excerpt_sql}, 200) AS excerpt FROM {table} WHERE {where}")


def _type_problems() -> list[str]:
    """Fields of the wrong JSON type: reported and dropped (the record is kept)."""
    out = []
    for f in FIELDS:
        if f in ("title", "author", "authors"):
            continue  # wrong types there drop the record (see _record_sql)
        if f in NUMBER_FIELDS:
            cond = (f'"{f}" IS NOT NULL AND "{f}" <> \'\' AND "t_{f}" IN (123, 116, 102, 34) '
                    f'AND TRY_CAST("{f}" AS DOUBLE) IS NULL')
        else:
            cond = f'"t_{f}" IN (91, 123, 116, 102)'
        if f == "rating_avg":
            out.append(_problem("field", f, "'expected a number, found a list; field dropped'",
                                "\"t_rating_avg\" = 91 AND rating0 IS NULL", rid="rid",
                                excerpt_sql=f'"{f}"'))
        what = "a number" if f in NUMBER_FIELDS else "text"
        out.append(_problem("field", f,
                            f"'expected {what}, found ' || tg_kind(\"t_{f}\") || '; field dropped'",
                            cond, rid="rid", excerpt_sql=f'"{f}"'))
    return out


def _each_author(where: str) -> str:
    """Kept records, one row per author position matching `where` (a lambda body over i)."""
    return f"(SELECT *, unnest(list_filter(range(n), i -> {where})) AS pos FROM k)"


def problems_sql() -> str:
    parts = [
        # records dropped
        _problem("record", None, "record_error", "record_error IS NOT NULL", table="rv",
                 rid="rid0", excerpt_sql="CASE WHEN error_field IS NOT NULL THEN "
                 "coalesce(CASE WHEN error_field = 'title' THEN \"title\" ELSE author_raw END, '')"
                 " END").replace("NULL AS field", "error_field AS field"),
        _problem("record", "id", "'duplicate of record #' || first_idx || "
                 "' (same id and title); the first is kept'", "same_as_first", table="rd",
                 rid="rid0"),
        _problem("record", "id", "'duplicate of an earlier record with the same id; the first "
                 "is kept'", "rn > 1", table="rk", rid="rid"),
        _problem("field", "id", "'id also used by record #' || first_idx || "
                 "' for another paper; stored as ' || rid", "rn0 > 1 AND NOT same_as_first",
                 table="rd", rid="rid0"),
        # control characters
        *[_problem("field", f, "'control characters removed'",
                   f'"t_{f}" = 34 AND tg_has_control("{f}")', rid="rid", excerpt_sql=f'"{f}"')
          for f in ("title", "abstract", "tldr", "keywords")],
        _problem("field", None, "'control characters removed from the author list'",
                 "tg_has_control(author_raw)",
                 table="(SELECT rv.*, rk.rid FROM rv JOIN rk ON rk.row = rv.row)",
                 rid="rid", excerpt_sql="author_raw").replace("NULL AS field",
                                                               "author_key AS field"),
        # over-long values
        *[_problem("field", f, f"format('{{:,}}', length(\"{f}\")) || ' characters (limit "
                   f"{limit:,}); field dropped'",
                   f'"t_{f}" = 34 AND length("{f}") > {limit}', rid="rid", excerpt_sql=f'"{f}"')
          for f, limit in TEXT_LIMITS.items()],
        _problem("field", "author", "'author ' || pos || ' name is ' || format('{:,}', "
                 "length(names[pos + 1])) || ' characters; mention dropped'", "true",
                 table=_each_author("length(names[i + 1]) > 300"), rid="rid",
                 excerpt_sql="names[pos + 1]"),
        _problem("field", "author", "'author ' || pos || ' has an empty name; mention dropped'",
                 "true", table=_each_author("names[i + 1] = ''"), rid="rid"),
        # alignment
        _problem("field", None, "len(p_aff) || ' affiliations for ' || n || ' authors; kept as "
                 "the paper''s affiliation set, not attributed to authors'",
                 "p_aff IS NOT NULL AND NOT aff_as_set AND len(p_aff) <> n",
                 rid="rid").replace("NULL AS field", "aff_key AS field"),
        _problem("field", "authorids", "len(p_authorids) || ' ids for ' || n || ' authors; kept "
                 "on the paper, not attributed'",
                 "p_authorids IS NOT NULL AND NOT ids_aligned", rid="rid"),
        *[_problem("field", f, f"len(\"p_{f}\") || ' values for ' || n || ' authors; not "
                   "attributed to authors'", f'"p_{f}" IS NOT NULL AND len("p_{f}") <> n',
                   rid="rid")
          for f, _ in PARALLEL],
        _problem("field", "authorids", "'author ' || pos || ' id of unknown kind; ignored'",
                 "true", table=_each_author(
                     "ids_aligned AND p_authorids[i + 1] <> '' AND id_kinds[i + 1] = 'unknown'"),
                 rid="rid", excerpt_sql="p_authorids[pos + 1]"),
        *_type_problems(),
    ]
    return ("CREATE OR REPLACE TEMP TABLE t_problems AS\n"
            + "\nUNION ALL\n".join(f"({p})" for p in parts) + ";\n")


def substitute(sql: str, now_sql: str, venue_sql: str, year_sql: str) -> str:
    return (sql.replace("$now", now_sql)
               .replace("$venue_of(source_file)", venue_sql)
               .replace("$year_of(source_file)", year_sql))


def transform_sql() -> str:
    """From `r` to the tables `rv`, `rd`, `rk`, `aff_mode`, `k` and `t_problems`."""
    return MACROS + _record_sql() + _kept_sql() + problems_sql()

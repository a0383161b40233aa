"""The record rules of the paperlists connector, as DuckDB SQL over staged JSON records.

Why SQL: a Python loop over 700k author mentions costs several times the bare JSON parse; DuckDB
reads the gzip'd arrays with its own parser and applies the rules below as vectorised list and
string operations, which keeps the whole ingest near the parse floor.

Input: a temp table `stg(source_file, rec_idx, j JSON)`, one row per array element, plus a Python
UDF `tg_unescape` (HTML entities). Output: temp tables `t_papers`, `t_mentions`, `t_problems`
with the columns of `papers`, `mentions`, `quarantine`. The rules are those in the module
docstring of `paperlists.py`.
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

MACROS = rf"""
CREATE OR REPLACE TEMP MACRO tg_clean(x) AS
    CASE WHEN regexp_matches(x, '[\x00-\x1f\x7f-\x9f\x{{2028}}\x{{2029}}&]|\s\s')
         THEN trim(regexp_replace(CASE WHEN contains(x, '&') THEN tg_unescape(x) ELSE x END,
                                  '({CONTROL}|\s)+', ' ', 'g'))
         ELSE trim(x) END;
CREATE OR REPLACE TEMP MACRO tg_kind(t) AS CASE
    WHEN t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN 'a number' WHEN t = 'VARCHAR' THEN 'text'
    WHEN t = 'ARRAY' THEN 'a list' WHEN t = 'OBJECT' THEN 'an object'
    WHEN t = 'BOOLEAN' THEN 'true/false' WHEN t = 'NULL' THEN 'null' ELSE 'nothing' END;
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


def _extract_sql() -> str:
    paths = ", ".join(f"'$.\"{f}\"'" for f in FIELDS)
    cols = ",\n        ".join(
        f'v[{i}] AS "{f}", t[{i}] AS "t_{f}"' for i, f in enumerate(FIELDS, 1))
    return f"""
CREATE OR REPLACE TEMP TABLE r AS
SELECT source_file, rec_idx, jt, rating0,
        {cols}
FROM (
    SELECT source_file, rec_idx, json_type(j) AS jt,
           json_extract_string(j, [{paths}]) AS v,
           json_type(j, [{paths}]) AS t,
           TRY_CAST(json_extract_string(j, '$.rating_avg[0]') AS DOUBLE) AS rating0
    FROM stg
);
"""


def _problem(level: str, field: str | None, reason_sql: str, where: str,
             table: str = "r", excerpt_sql: str = "NULL", rid: str = "NULL") -> str:
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
        bad = ("('ARRAY', 'OBJECT', 'BOOLEAN')" if f not in NUMBER_FIELDS
               else "('OBJECT', 'BOOLEAN', 'VARCHAR')")
        cond = f'"t_{f}" IN {bad} AND jt = \'OBJECT\''
        if f == "rating_avg":
            cond += " AND NOT (\"t_rating_avg\" = 'ARRAY' AND rating0 IS NOT NULL)"
            bad_arrays = "\"t_rating_avg\" = 'ARRAY' AND rating0 IS NULL AND jt = 'OBJECT'"
            out.append(_problem("field", f, "'expected a number, found a list; field dropped'",
                                bad_arrays, table="kept", rid="rid", excerpt_sql=f'"{f}"'))
        if f in NUMBER_FIELDS:
            cond = (f'jt = \'OBJECT\' AND "{f}" IS NOT NULL AND "{f}" <> \'\' AND '
                    f'"t_{f}" IN (\'OBJECT\', \'BOOLEAN\', \'VARCHAR\') '
                    f'AND TRY_CAST("{f}" AS DOUBLE) IS NULL')
        what = "a number" if f in NUMBER_FIELDS else "text"
        out.append(_problem("field", f,
                            f"'expected {what}, found ' || tg_kind(\"t_{f}\") || '; field dropped'",
                            cond, table="kept", rid="rid", excerpt_sql=f'"{f}"'))
    return out


def _record_sql() -> str:
    """Per-record validity, ids and de-duplication (a narrow table), then the author lists."""
    text_ok = "('VARCHAR', 'BIGINT', 'UBIGINT', 'DOUBLE')"
    return f"""
CREATE OR REPLACE TEMP TABLE rv AS
SELECT source_file, rec_idx, "title", author_key, author_raw, rid0,
    CASE
        WHEN jt <> 'OBJECT' THEN 'expected a JSON object, found ' || tg_kind(jt)
        WHEN "title" IS NULL OR ("t_title" = 'VARCHAR' AND trim("title") = '')
            THEN 'record has no title'
        WHEN "t_title" NOT IN {text_ok}
            THEN 'expected text, found ' || tg_kind("t_title")
        WHEN length("title") > 2000
            THEN 'title is ' || format('{{:,}}', length("title")) || ' characters (limit 2,000)'
        WHEN author_raw IS NULL OR (author_type = 'VARCHAR' AND trim(author_raw, ' ;,') = '')
            THEN 'record has no authors'
        WHEN author_type <> 'VARCHAR'
            THEN 'expected `;`-separated text, found ' || tg_kind(author_type)
    END AS record_error,
    CASE WHEN jt <> 'OBJECT' THEN NULL
         WHEN "title" IS NULL OR "t_title" NOT IN {text_ok} OR length("title") > 2000
              OR ("t_title" = 'VARCHAR' AND trim("title") = '') THEN 'title'
         ELSE author_key END AS error_field
FROM (
    SELECT *,
        CASE WHEN "t_author" IS NULL AND "t_authors" IS NOT NULL THEN 'authors'
             ELSE 'author' END AS author_key,
        CASE WHEN "t_author" IS NOT NULL THEN "author" ELSE "authors" END AS author_raw,
        CASE WHEN "t_author" IS NOT NULL THEN "t_author" ELSE "t_authors" END AS author_type,
        left(regexp_replace(coalesce(
            CASE WHEN "t_id" IN {text_ok} THEN nullif(trim("id"), '') END,
            CASE WHEN "t_ssid" IN {text_ok} THEN nullif(trim("ssid"), '') END,
            CASE WHEN "t_pid" IN {text_ok} THEN nullif(trim("pid"), '') END,
            'h_' || left(sha1(coalesce("title", '') || '|'
                              || coalesce("author", "authors", '')), 12)),
            '{CONTROL}', '', 'g'), 200) AS rid0
    FROM r
);

CREATE OR REPLACE TEMP TABLE rd AS
SELECT source_file, rec_idx, rid0, rn0, first_idx,
    CASE WHEN rn0 = 1 THEN rid0 ELSE rid0 || '~' || left(sha1("title"), 8) END AS rid,
    rn0 > 1 AND "title" = first_title AS same_as_first
FROM (
    SELECT source_file, rec_idx, rid0, "title",
        row_number() OVER (PARTITION BY source_file, rid0 ORDER BY rec_idx) AS rn0,
        first_value("title") OVER (PARTITION BY source_file, rid0 ORDER BY rec_idx) AS first_title,
        first_value(rec_idx) OVER (PARTITION BY source_file, rid0 ORDER BY rec_idx) AS first_idx
    FROM rv WHERE record_error IS NULL
);

CREATE OR REPLACE TEMP TABLE rk AS
SELECT source_file, rec_idx, rid, row_number() OVER (PARTITION BY source_file, rid
                                                     ORDER BY rec_idx) AS rn
FROM rd WHERE NOT same_as_first;

CREATE OR REPLACE TEMP VIEW kept AS
SELECT r.*, rk.rid FROM rk JOIN r USING (source_file, rec_idx) WHERE rk.rn = 1;

CREATE OR REPLACE TEMP VIEW rc AS
SELECT *, len(names) AS n
FROM (
    SELECT *, tg_undouble(names0, len(names0) // 2) AS names
    FROM (
        SELECT *, list_transform(CASE WHEN contains(authors_clean, ';')
                                      THEN string_split(authors_clean, ';')
                                      ELSE string_split(authors_clean, ',') END,
                                 x -> trim(x)) AS names0
        FROM (
            SELECT r.*, rk.rid, rv.author_key, rv.author_raw,
                   tg_clean(rv.author_raw) AS authors_clean
            FROM rk JOIN r USING (source_file, rec_idx) JOIN rv USING (source_file, rec_idx)
            WHERE rk.rn = 1
        )
    )
);
"""


def _fields_sql() -> str:
    """Split parallel fields, decide alignment, and keep what cannot be attributed on the paper."""
    par = ",\n        ".join(
        f"""CASE WHEN "t_{f}" = 'VARCHAR' AND length("{f}") <= 100000
                  AND len(tg_nonempty(tg_parts("{f}"))) > 0
             THEN tg_undouble(tg_parts(tg_clean("{f}")), n) END AS "p_{f}\""""
        for f, _ in PARALLEL + [("authorids", None)]
    )
    return f"""
CREATE OR REPLACE TEMP TABLE aff_mode AS
SELECT source_file,
       count(*) FILTER (WHERE len(ne) >= 2) >= 20
       AND count(*) FILTER (WHERE len(ne) >= 2 AND len(list_distinct(ne)) < len(ne)) = 0
       AS aff_is_set
FROM (SELECT source_file, tg_nonempty(tg_parts("aff")) AS ne FROM r
      WHERE "t_aff" = 'VARCHAR' AND contains("aff", ';'))
GROUP BY source_file;

CREATE OR REPLACE TEMP VIEW rf AS
SELECT source_file, rec_idx, rid, n, names, author_key, aff_key,
        coalesce(m.aff_is_set, false) AND aff_key = 'aff' AS aff_as_set,
        {par},
        CASE WHEN aff_key = 'aff'
                  AND list_contains(tg_nonempty(tg_parts(aff_value)), 'Under double-blind review')
             THEN NULL ELSE tg_parts(tg_clean(aff_value)) END AS p_aff,
        CASE WHEN "t_aff_unique_index" = 'VARCHAR' AND "t_aff_unique_norm" = 'VARCHAR'
             THEN tg_parts("aff_unique_index") END AS p_uidx,
        CASE WHEN "t_aff_unique_norm" = 'VARCHAR'
             THEN tg_parts(tg_clean("aff_unique_norm")) END AS p_unorm,
        CASE WHEN "t_aff_country_unique_index" = 'VARCHAR'
                  AND "t_aff_country_unique" = 'VARCHAR'
             THEN tg_parts("aff_country_unique_index") END AS p_cidx,
        CASE WHEN "t_aff_country_unique" = 'VARCHAR'
             THEN tg_parts(tg_clean("aff_country_unique")) END AS p_cnorm
FROM (
    SELECT *,
        CASE WHEN "t_aff" = 'VARCHAR' AND trim("aff", ' ;') <> '' THEN 'aff'
             WHEN "t_affs" = 'VARCHAR' AND trim("affs", ' ;') <> '' THEN 'affs' END AS aff_key,
        CASE WHEN "t_aff" = 'VARCHAR' AND trim("aff", ' ;') <> '' THEN "aff"
             WHEN "t_affs" = 'VARCHAR' AND trim("affs", ' ;') <> '' THEN "affs" END AS aff_value
    FROM rc
) rc LEFT JOIN aff_mode m USING (source_file);

CREATE OR REPLACE TEMP TABLE rfa AS
SELECT *,
    p_aff IS NOT NULL AND NOT aff_as_set AND len(p_aff) = n AS aff_aligned,
    "p_authorids" IS NOT NULL AND len("p_authorids") = n AS ids_aligned
FROM rf;
"""


def _text(f: str, limit: int) -> str:
    return (f"""CASE WHEN "t_{f}" IN ('VARCHAR', 'BIGINT', 'UBIGINT', 'DOUBLE')
                 AND length("{f}") <= {limit} THEN nullif(tg_clean("{f}"), '') END""")


def _papers_sql() -> str:
    return f"""
CREATE OR REPLACE TEMP TABLE t_papers AS
SELECT
    regexp_replace(source_file, '\\.json(\\.gz)?$', '') || '/' || rid AS paper_id,
    source_file, rid AS record_id, rec_idx AS record_index,
    $venue_of(source_file) AS venue, $year_of(source_file) AS year,
    tg_clean("title") AS title,
    {_text("abstract", 100_000)} AS abstract,
    {_text("tldr", 100_000)} AS tldr,
    CASE WHEN "t_keywords" = 'VARCHAR' AND length("keywords") <= 100000
         THEN tg_nonempty(list_transform(string_split(tg_clean("keywords"), ';'), k -> trim(k)))
         ELSE [] END AS keywords,
    {_text("primary_area", 2000)} AS primary_area,
    {_text("status", 200)} AS status,
    tg_decision({_text("status", 200)}) AS decision,
    {_text("track", 200)} AS track,
    CASE WHEN isfinite(TRY_CAST("gs_citation" AS DOUBLE))
              AND "t_gs_citation" IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'VARCHAR')
         THEN TRY_CAST(TRY_CAST("gs_citation" AS DOUBLE) AS INTEGER) END AS citations,
    CASE WHEN "t_rating_avg" = 'ARRAY' THEN rating0
         WHEN "t_rating_avg" IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'VARCHAR')
              AND isfinite(TRY_CAST("rating_avg" AS DOUBLE))
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
FROM rfa JOIN r USING (source_file, rec_idx);
"""


def _mentions_sql() -> str:
    par = ",\n    ".join(
        f"""CASE WHEN len("p_{f}") = n THEN nullif("p_{f}"[pos + 1], '')
            END AS "{col}\""""
        for f, col in PARALLEL if col != "email_domain"
    )
    return f"""
CREATE OR REPLACE TEMP TABLE m0 AS
SELECT source_file, rec_idx, rid, n, pos,
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
    aff_aligned AND nullif(p_aff[pos + 1], '') IS NOT NULL AS aff_aligned
FROM (SELECT *, unnest(range(n)) AS pos FROM rfa);

CREATE OR REPLACE TEMP TABLE t_mentions AS
SELECT paper_id, pos AS position, raw_name, raw_affiliation, aff_norm, aff_country,
    affiliation_domain,
    CASE WHEN tg_id_kind(author_id) = 'email' THEN lower(author_id) END AS email,
    coalesce(CASE WHEN tg_id_kind(author_id) = 'email'
                  THEN lower(split_part(author_id, '@', 2)) END, email_field) AS email_domain,
    role,
    CASE WHEN tg_id_kind(author_id) = 'openreview' THEN author_id END AS openreview_id,
    CASE WHEN tg_id_kind(author_id) = 'acl' THEN trim(author_id, '/') END AS acl_id,
    CASE WHEN tg_id_kind(author_id) = 'ieee' THEN trim(author_id, '/') END AS ieee_id,
    dblp, google_scholar,
    coalesce(orcid, CASE WHEN tg_id_kind(author_id) = 'orcid' THEN regexp_extract(author_id,
             '[0-9]{{4}}-[0-9]{{4}}-[0-9]{{4}}-[0-9]{{3}}[0-9X]') END) AS orcid,
    homepage, linkedin, aff_aligned, source_file, rid AS record_id,
    $year_of(source_file) AS year, $now AS ingested_at
FROM m0 WHERE raw_name <> '' AND length(raw_name) <= 300;
"""


def _problems_sql() -> str:
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
                   f'"t_{f}" = \'VARCHAR\' AND tg_has_control("{f}")', table="kept",
                   rid="rid", excerpt_sql=f'"{f}"')
          for f in ("title", "abstract", "tldr", "keywords")],
        _problem("field", None, "'control characters removed from the author list'",
                 "tg_has_control(author_raw)", table="rv JOIN rk USING (source_file, rec_idx)",
                 rid="rid", excerpt_sql="author_raw").replace("NULL AS field",
                                                               "author_key AS field"),
        # over-long values
        *[_problem("field", f, f"format('{{:,}}', length(\"{f}\")) || ' characters (limit "
                   f"{limit:,}); field dropped'",
                   f'"t_{f}" = \'VARCHAR\' AND length("{f}") > {limit}', table="kept", rid="rid",
                   excerpt_sql=f'"{f}"')
          for f, limit in TEXT_LIMITS.items()],
        _problem("field", None, "'author ' || pos || ' name is ' || format('{:,}', "
                 "length(raw_name)) || ' characters; mention dropped'",
                 "length(raw_name) > 300", table="m0", rid="rid", excerpt_sql="raw_name"
                 ).replace("NULL AS field", "'author' AS field"),
        _problem("field", None, "'author ' || pos || ' has an empty name; mention dropped'",
                 "raw_name = ''", table="m0", rid="rid").replace("NULL AS field",
                                                                 "'author' AS field"),
        # alignment
        _problem("field", None, "len(p_aff) || ' affiliations for ' || n || ' authors; kept as "
                 "the paper''s affiliation set, not attributed to authors'",
                 "p_aff IS NOT NULL AND NOT aff_as_set AND len(p_aff) <> n", table="rfa",
                 rid="rid").replace("NULL AS field", "aff_key AS field"),
        _problem("field", "authorids", "len(p_authorids) || ' ids for ' || n || ' authors; kept "
                 "on the paper, not attributed'",
                 "p_authorids IS NOT NULL AND NOT ids_aligned", table="rfa", rid="rid"),
        *[_problem("field", f, f"len(\"p_{f}\") || ' values for ' || n || ' authors; not "
                   "attributed to authors'", f'"p_{f}" IS NOT NULL AND len("p_{f}") <> n',
                   table="rfa", rid="rid")
          for f, _ in PARALLEL],
        _problem("field", "authorids", "'author ' || pos || ' id of unknown kind; ignored'",
                 "author_id IS NOT NULL AND tg_id_kind(author_id) = 'unknown'", table="m0",
                 rid="rid", excerpt_sql="author_id"),
        *_type_problems(),
    ]
    return ("CREATE OR REPLACE TEMP TABLE t_problems AS\n"
            + "\nUNION ALL\n".join(f"({p})" for p in parts) + ";\n")


def transform_sql(now_sql: str, venue_sql: str, year_sql: str) -> str:
    """The whole transformation, from `stg` to `t_papers`, `t_mentions` and `t_problems`."""
    sql = (MACROS + _extract_sql() + _record_sql() + _fields_sql() + _papers_sql()
           + _mentions_sql() + _problems_sql())
    return (sql.replace("$now", now_sql)
               .replace("$venue_of(source_file)", venue_sql)
               .replace("$year_of(source_file)", year_sql))

"""The DuckDB SQL of the stages carried to Spark SQL (no Spark needed: the text is checked)."""

from __future__ import annotations

from talentgraph.engines.sqlport import Translator, to_spark


def spark_sql(sql: str, params: list | None = None, translator: Translator | None = None
              ) -> str:
    t = translator or Translator()
    return ";".join(to_spark(s) for s in t.parse(sql, params))


def test_macros_are_inlined_where_called() -> None:
    t = Translator()
    assert spark_sql("CREATE OR REPLACE TEMP MACRO twice(x) AS x + x", translator=t) == ""
    assert spark_sql("SELECT twice(a * 2) FROM t", translator=t) == \
        "SELECT ((a * 2) + (a * 2)) FROM t"


def test_a_macro_keeps_its_precedence_where_called() -> None:
    """tg_scalar's body is an OR: inlined bare into `x AND tg_scalar(t) AND y`, it made Spark
    keep the corpus' gs_citation -1 (the AND bound tighter) where DuckDB gives NULL."""
    t = Translator()
    spark_sql("CREATE TEMP MACRO scalar(t) AS t = 34 OR t = 45", translator=t)
    assert spark_sql("SELECT x AND scalar(k) AND y FROM r", translator=t) == \
        "SELECT x AND ((k) = 34 OR (k) = 45) AND y FROM r"


def test_list_subscripts_and_lengths_keep_their_duckdb_meaning() -> None:
    out = spark_sql("SELECT names[pos + 1], l[1], len(l), length(s), list_slice(l, 2, n) FROM t")
    assert "ELEMENT_AT(names, NULLIF(pos + 1, 0))" in out
    assert "ELEMENT_AT(l, NULLIF(1, 0))" in out  # 1-based in both: DuckDB's l[1] is the first
    assert "SIZE(l)" in out and "LENGTH(s)" in out
    assert "SLICE(l, 2, GREATEST((n - 2 + 1), 0))" in out


def test_full_regex_match_is_anchored_and_parameters_are_bound() -> None:
    out = spark_sql("SELECT regexp_full_match(v, '/[0-9]+') FROM t WHERE f = ? AND y > ?",
                    ["a'b", 3])
    assert "RLIKE '^(?:/[0-9]+)\\\\z'" in out
    assert "f = 'a\\'b' AND y > 3" in out


def test_hash_buckets_use_duckdbs_own_hash() -> None:
    assert spark_sql("SELECT hash(unique_id) % 7 FROM r") == \
        "SELECT TG_DUCKDB_HASH(unique_id) % 7 FROM r"


def test_hugeint_sums_become_exact_decimals() -> None:
    """Spark has no 128-bit integer: the people stage's m/u digest (a sum of row hashes cast
    to HUGEINT) failed to parse there."""
    out = spark_sql("SELECT count(*), coalesce(sum(hash(a, list_sort(b))::HUGEINT), 0) FROM f")
    assert "INT128" not in out.upper() and "HUGEINT" not in out.upper()
    assert "AS DECIMAL(38, 0)" in out


def test_trim_without_characters_removes_unicode_spaces_as_duckdb_does() -> None:
    """DuckDB's trim(x) removes the no-break space ('Andrea Romanoni\\xa0' in the corpus);
    Spark's only ' ': it becomes a regexp over the space separators; trim(x, chars) stays."""
    out = spark_sql("SELECT trim(a), ltrim(b), rtrim(c), trim(d, ' ;') FROM t")
    assert "REGEXP_REPLACE(a, '^\\\\p{Zs}+|\\\\p{Zs}+\\\\z', '')" in out
    assert "REGEXP_REPLACE(b, '^\\\\p{Zs}+', '')" in out
    assert "REGEXP_REPLACE(c, '\\\\p{Zs}+\\\\z', '')" in out
    assert "TRIM(' ;' FROM d)" in out


def test_arguments_of_a_rewritten_call_are_rewritten_too() -> None:
    """trim(l[pos + 1]) became a regexp_replace whose argument kept DuckDB's 1-based subscript,
    which Spark read 0-based: each author got the next author's email domain."""
    out = spark_sql("SELECT lower(trim(p_email[pos + 1])), isfinite(l[1]) FROM t")
    assert "ELEMENT_AT(p_email, NULLIF(pos + 1, 0))" in out
    assert "ELEMENT_AT(l, NULLIF(1, 0))" in out and "[" not in out

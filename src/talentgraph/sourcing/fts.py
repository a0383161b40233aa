"""DuckDB's full-text search: loading its extension from its PyPI package (never from the
network), and the BM25 of a query as the searches compute it."""

from __future__ import annotations

from pathlib import Path

import duckdb

from talentgraph.errors import StoreError

# The FTS index's postings with term frequencies, term-major: the `index` stage stores them as
# `sourcing_postings` and the in-memory index (memindex.py) loads them (grouped at load time
# from stores built before the table existed).
POSTINGS_SQL = """
    SELECT termid::INTEGER AS termid, docid::INTEGER AS docid, count(*)::INTEGER AS tf
    FROM fts_main_sourcing_docs.terms GROUP BY ALL ORDER BY termid, docid"""

FTS = "fts_main_sourcing_docs"
# Every word of the indexed text (as the index's own `tokenize` macro splits it) with the
# dictionary term its stem is (NULL: none, e.g. a stopword): the `index` stage stores it as
# `sourcing_words`, sorted by word. A search looks its words up there instead of stemming them
# (see `terms_sql`). The empty word is always there: `tokenize` yields it after a trailing
# punctuation mark ("graph networks!").
WORDS_SQL = f"""
    SELECT w.word, d.termid
    FROM (SELECT DISTINCT unnest({FTS}.tokenize(concat_ws(' ', title, abstract, tldr,
                                                          keywords_text))) AS word
          FROM sourcing_docs UNION SELECT '') w
    LEFT JOIN {FTS}.dict d ON d.term = stem(w.word, 'porter')
    ORDER BY w.word"""


def extension_path() -> Path:
    """The fts.duckdb_extension file shipped in the `duckdb-extension-fts` package."""
    try:
        import duckdb_extension_fts
    except ImportError as exc:
        raise StoreError("the full-text search extension is missing: "
                         "pip install duckdb-extension-fts==" + duckdb.__version__) from exc
    root = Path(duckdb_extension_fts.__file__).parent
    exact = root / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    if exact.is_file():
        return exact
    found = sorted(root.rglob("fts.duckdb_extension"))
    if not found:
        raise StoreError(f"no fts.duckdb_extension inside {root}: reinstall duckdb-extension-fts "
                         f"at the version of duckdb ({duckdb.__version__})")
    return found[-1]


def load(con: duckdb.DuckDBPyConnection) -> None:
    """Load the FTS extension into `con` from the installed package; nothing is downloaded."""
    # Autoinstall would try the network when a function of a known extension is used first.
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    loaded = con.execute(
        "SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'fts'").fetchone()
    if loaded and loaded[0]:
        return
    path = extension_path()
    try:
        con.execute(f"LOAD '{path.as_posix()}'")
    except duckdb.Error as exc:
        raise StoreError(f"cannot load the full-text search extension from {path}: {exc} "
                         f"(its version must match duckdb {duckdb.__version__})") from exc


def terms_sql(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """SQL of the distinct dictionary terms (`termid`) of the text parameter $q (whose value is
    `text`), as the FTS extension tokenises and stems it: the terms of its words in
    `sourcing_words` when that table holds every one of them, else stemmed by the extension
    (loaded here then).

    Why: loading the extension costs ~50 ms of CPU (DuckDB checks the signature of its 11.5 MB
    file), a tenth of a search from the command line (issue #18), and a query's words are
    nearly always words of the corpus. A word the corpus lacks can still stem to one of its
    terms ("optimizations" to "optim"), so the extension stems any query that has one; stores
    built before the table existed always stem.
    """
    try:
        unknown = con.execute(f"""
            WITH q AS (SELECT DISTINCT unnest({FTS}.tokenize($q)) AS word)
            SELECT (SELECT count(*) FROM q)
                   - (SELECT count(*) FROM sourcing_words WHERE word IN (SELECT word FROM q))""",
                              {"q": text}).fetchone()[0]
    except duckdb.CatalogException:  # no sourcing_words in this store
        unknown = 1
    if not unknown:
        return (f"SELECT DISTINCT termid FROM sourcing_words WHERE termid IS NOT NULL "
                f"AND word IN (SELECT unnest({FTS}.tokenize($q)))")
    load(con)
    return (f"SELECT DISTINCT termid FROM {FTS}.dict "
            f"WHERE term IN (SELECT stem(unnest({FTS}.tokenize($q)), 'porter'))")


def bm25_sql(con: duckdb.DuckDBPyConnection, text: str, have_postings: bool) -> str:
    """(docid, score) of every document matching the text parameter $q (whose value is
    `text`): the scores of DuckDB's `match_bm25(name, $q)`, at half its cost or less.

    The macro scores every document of the index (a scan and a self-join of `docs`, the term rows
    grouped again); this reads the postings of the query's terms only (`sourcing_postings` is
    term-major, so its zone maps skip the other terms' row groups) and computes each term's
    score with the macro's own expression (its defaults k := 1.2 and b := 0.75 written in, its
    BIGINT term frequency), so each term's score is the same. The terms' sum is taken in termid
    order: a plain parallel `sum` adds them in whatever order the threads deliver, which changed
    the last bit of a score from one run to the next (a CI run caught it), and with it the order
    of tied documents. The macro's own sum has that freedom, so the two agree to about 1e-15,
    not bit for bit (a test). Stores built before `sourcing_postings` existed use the macro.

    The termid order comes from sorting each document's few (termid, score) pairs, not from an
    ordered aggregate (`list(... ORDER BY termid)`): DuckDB buffers and sorts an ordered
    aggregate's rows group by group, which took ~0.27 s of a broad query's ~0.38 s on the whole
    corpus (57,000 documents for "diffusion models"); the plain `list` and a sort of each short
    list take a fifth of that, and add the same numbers in the same order (same bits).
    """
    if not have_postings:
        load(con)
        return """
            SELECT docid, score FROM (
                SELECT docid, fts_main_sourcing_docs.match_bm25(name, $q) AS score
                FROM fts_main_sourcing_docs.docs) WHERE score IS NOT NULL"""
    return f"""
        SELECT p.docid::BIGINT AS docid,
               list_sum(list_transform(list_sort(list({{'termid': p.termid, 'score':
                   log((((s.num_docs - d.df) + 0.5) / (d.df + 0.5)) + 1)
                   * ((p.tf::BIGINT * (1.2 + 1))
                      / (p.tf::BIGINT + (1.2 * ((1 - 0.75) + (0.75 * (x.len / s.avgdl))))))}})),
                   t -> t.score)) AS score
        FROM sourcing_postings p
        JOIN (SELECT termid, df FROM fts_main_sourcing_docs.dict
              WHERE termid IN ({terms_sql(con, text)})) d USING (termid)
        JOIN fts_main_sourcing_docs.docs x ON x.docid = p.docid
        CROSS JOIN fts_main_sourcing_docs.stats s
        GROUP BY p.docid"""

"""Loading DuckDB's full-text search extension from its PyPI package (never from the network)."""

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

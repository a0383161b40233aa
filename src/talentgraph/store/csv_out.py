"""One way to write a query's rows as a CSV file: whole or not at all."""

from __future__ import annotations

import contextlib
from pathlib import Path

import duckdb

from talentgraph.errors import StoreError


def copy_csv(con: duckdb.DuckDBPyConnection, query: str, out: Path,
             force_quote: tuple[str, ...] = ()) -> None:
    """Write the rows of `query` to `out` with a header. The file is written beside `out` and
    renamed at the end, so a reader never sees half a file and a failure leaves nothing behind;
    any failure is a StoreError naming `out`. `force_quote`: columns always quoted (names hold
    commas and quotes, and every CSV reader must agree on them)."""
    out = Path(out)
    tmp = out.with_name(out.name + ".part")
    options = "FORMAT csv, HEADER true"
    if force_quote:
        options += f", FORCE_QUOTE ({', '.join(force_quote)})"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        path_sql = str(tmp).replace("'", "''")
        con.execute(f"COPY ({query}) TO '{path_sql}' ({options})")
        tmp.replace(out)
    except (OSError, duckdb.Error) as exc:
        with contextlib.suppress(OSError):  # e.g. its folder is a file: nothing was written
            tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot write {out}: {exc}") from exc

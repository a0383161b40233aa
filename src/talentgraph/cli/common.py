"""What every CLI module shares: the consoles, the --db and --json options, tables, JSON and
progress bars. It imports no other CLI module, so each command module can import it."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from talentgraph import config

console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="The analytical store (DuckDB file). Default: $TALENTGRAPH_DB, "
                 "else talentgraph.duckdb in your data directory."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def db_path(db: Path | None) -> Path:
    """The store file: `--db`, else the default; the output folder of a Spark build stands for
    its current serving store (engines/output.py), its erasure list beside it."""
    from talentgraph.engines.output import serving_store

    path = db if db is not None else config.default_db_path()
    return serving_store(path) or path


@contextmanager
def reading(db: Path | None) -> Iterator[Any]:
    """The analytical store (`--db`, else the default) opened read-only for one command, and
    closed when the command is done with it."""
    from talentgraph.store import db as store

    con = store.connect(db_path(db), read_only=True)
    try:
        yield con
    finally:
        con.close()


def export_csv(db: Path | None, out: Path, write: Callable[[Any, Path], int], what: str) -> None:
    """An `export` command: `write(con, out)` from the store read-only, then 'N <what> written
    to OUT' on stderr. A file that cannot be written is a StoreError naming it."""
    from talentgraph.errors import StoreError

    with reading(db) as con:
        try:
            n = write(con, out)
        except OSError as exc:
            raise StoreError(f"cannot write {out}: {exc}") from exc
    err_console.print(f"{n:,} {what} written to {out}")


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, default=_json_default, indent=2, ensure_ascii=False) + "\n")


def print_table(rows: list[dict[str, Any]], title: str | None = None,
                columns: list[str] | None = None) -> None:
    if not rows:
        console.print(f"[dim]{title + ': ' if title else ''}nothing to show[/dim]")
        return
    cols = columns or list(rows[0])
    table = Table(title=title, show_lines=False)
    for c in cols:
        numeric = all(isinstance(r.get(c), (int, float)) or r.get(c) is None for r in rows)
        if is_id_column(c):
            # ids are copied into the next command: never cut, never wrapped
            width = max(len(c), *(len(_cell(c, r.get(c))) for r in rows))
            table.add_column(c, justify="left", no_wrap=True, min_width=width)
        else:
            table.add_column(c, justify="right" if numeric else "left")
    for r in rows:
        table.add_row(*(_cell(c, r.get(c)) for c in cols))
    console.print(table)


def is_id_column(column: str) -> bool:
    """person_id, org_id, openreview_ids, id...: values users copy whole."""
    return column == "id" or column.endswith(("_id", "_ids"))


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and "year" not in column:
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int, str], None]]:
    """Progress as a `pipeline.Progress` callback: a Rich bar per stage on a terminal, else
    plain lines on stderr (a stage's start, a new step of it, at most one line every
    PLAIN_EVERY seconds in between, and its end)."""
    if not err_console.is_terminal:
        yield _plain_progress()
        return
    # imported here: only builds show progress (~5-10 ms that `source` need not pay)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(TextColumn("[bold]{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TextColumn("[dim]{task.fields[detail]}"),
                  console=err_console, transient=False) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int, detail: str = "") -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total, detail="")
            bar.update(tasks[stage], completed=done, total=total, detail=detail[:40])

        yield update


PLAIN_EVERY = 10.0


def _plain_progress() -> Callable[[str, int, int, str], None]:
    import time

    last: dict[str, tuple[float, str]] = {}

    def update(stage: str, done: int, total: int, detail: str = "") -> None:
        now = time.monotonic()
        seen = last.get(stage)
        finished = total > 0 and done >= total
        if seen is not None and detail == seen[1] and not finished and now - seen[0] < PLAIN_EVERY:
            return
        if seen is not None and finished and seen[1] == detail:
            return
        last[stage] = (now, detail)
        share = f" {done:,}/{total:,}" if total > 1 else ""
        sys.stderr.write(f"[{stage}]{share} {detail}".rstrip() + "\n")
        sys.stderr.flush()

    return update

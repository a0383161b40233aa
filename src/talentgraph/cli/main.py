"""The `talentgraph` command: a thin interface over the library (every command calls the core)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from talentgraph import config
from talentgraph.cli import careers, fastpath, orgs, people, positions, sourcing, web
from talentgraph.cli.common import (
    DbOption,
    JsonOption,
    console,
    db_path,
    err_console,
    print_json,
    print_table,
    progress_bar,
    reading,
)
from talentgraph.errors import TalentgraphError

app = typer.Typer(
    name="talentgraph",
    help="The public ML research record as a talent graph, and the recruiting work on top of it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        from talentgraph import __version__

        console.print(f"talentgraph {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help="Print the version and exit.")] = False) -> None:
    """The public ML research record as a talent graph, and the recruiting work on top of it."""
# ----------------------------------------------------------------------------------------------
# build, stats, download


@app.command()
def build(
    paperlists: Annotated[list[Path] | None, typer.Option(
        "--paperlists", help="A paperlists corpus folder (repeatable). Default: "
        "$TALENTGRAPH_PAPERLISTS, else ../shared/data/paperlists.")] = None,
    positions: Annotated[Path | None, typer.Option(
        "--positions", help="AI Watch positions.csv (dated positions). Default: "
        "$TALENTGRAPH_POSITIONS, else ../shared/data/aiwatch/positions.csv if present.")] = None,
    db: DbOption = None,
    ror: Annotated[Path | None, typer.Option(
        "--ror", help="The ROR dump (gzip'd JSON Lines, schema v1 or v2) organisations are "
        "resolved to. Default: $TALENTGRAPH_ROR, else ../shared/data/ror/ror-records.jsonl.gz; "
        "without one (or with `--ror none`), organisations are resolved without ROR.")] = None,
    full: Annotated[bool, typer.Option(
        "--full", help="Run every stage, even those whose inputs did not change.")] = False,
    engine: Annotated[str, typer.Option(
        "--engine", help="duckdb (one store file) or spark (Apache Spark; needs --out).")
    ] = "duckdb",
    spark_master: Annotated[str, typer.Option(
        "--spark-master", help="With --engine spark: the Spark master URL.")] = "local[2]",
    out: Annotated[Path | None, typer.Option(
        "--out", help="With --engine spark: the output folder (Parquet tables and a serving "
        "store; pass it as --db to the other commands).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Build the store: ingest, then resolve, link and index what changed.

    Reads the corpus, ROR and the positions files it finds."""
    from talentgraph import pipeline

    dirs = config.find_paperlists(paperlists)
    ror_path = config.find_ror(ror)
    pos = config.find_positions(positions)
    if engine not in ("duckdb", "spark"):
        raise typer.BadParameter(f"unknown engine {engine!r}: duckdb or spark",
                                 param_hint="--engine")
    if engine == "spark":
        _build_on_spark(dirs, ror_path, pos, spark_master, out, as_json)
        return
    path = db_path(db)
    err_console.print(f"Building [bold]{path}[/bold] from {', '.join(map(str, dirs))}"
                      + (f" with ROR {ror_path}" if ror_path else " (no ROR dump found)")
                      + (f" and positions from {pos}" if pos else " (no positions file found)")
                      + (" (full rebuild)" if full else ""))
    with progress_bar() as update:
        report = pipeline.build(path, dirs, progress=update, ror=ror_path, positions=pos,
                                full=full)
    runs = {n: {"status": r.status, "reason": r.reason, "seconds": round(r.seconds, 2),
                "cpu_seconds": round(r.cpu_seconds, 2),
                "process_peak_rss_mb": r.peak_rss_mb}
            for n, r in report.runs.items()}
    if as_json:
        print_json({"db": str(path), "stages": report.stages, "seconds": report.seconds,
                    "runs": runs, "summary": report.summary()})
        return
    ing = report.stages["ingest"]
    console.print(
        f"Ingested {ing['files']:,} files ({ing['ingested']:,} new, {ing['replaced']:,} changed, "
        f"{ing['unchanged']:,} unchanged): {ing['papers']:,} papers, {ing['mentions']:,} "
        f"author mentions; {ing['records_dropped']:,} records quarantined, "
        f"{ing['problems']:,} problems noted (see `talentgraph stats`)."
    )
    if "ingest_positions" in report.stages:
        p = report.stages["ingest_positions"]
        console.print(f"Positions: {p['positions']:,} ({p['unchanged']:,} of {p['units']:,} "
                      f"unit(s) unchanged), {p['records_dropped']:,} rows quarantined.")
    for name, result in report.stages.items():
        if name == "ror":
            console.print(f"ROR: {result['organisations']:,} organisations from "
                          f"{result['source_file']} ({result['outcome']}; "
                          f"{result['problems']:,} problems noted, see `talentgraph stats`)")
            continue
        if name.startswith("ingest") or (name == "erased" and not result):
            continue
        summary = ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}"
                            for k, v in result.items())
        run = report.runs.get(name)
        how = (f"skipped, {run.reason}; figures of its last run"
               if run is not None and run.status == "skipped"
               else f"{report.seconds.get(name, 0.0):.1f} s")
        console.print(f"{name}: {summary} ({how})")
    s = report.summary()
    console.print(f"Build: {s['added_files']:,} new and {s['changed_files']:,} changed files; "
                  f"redone: {', '.join(s['redone']) or 'nothing'}; "
                  f"skipped: {', '.join(s['skipped']) or 'nothing'}; {s['seconds']:.1f} s "
                  "(`--full` runs every stage).")


def _build_on_spark(dirs: list[Path], ror_path: Path | None, pos: Path | None, master: str,
                    out: Path | None, as_json: bool) -> None:
    from talentgraph.engines import spark_build

    if out is None:
        raise typer.BadParameter("--engine spark writes a folder: give it with --out DIR",
                                 param_hint="--out")
    err_console.print(f"Building [bold]{out}[/bold] on Spark ({master}) from "
                      f"{', '.join(map(str, dirs))}")
    with progress_bar() as update:
        report = spark_build.build(out, dirs, master=master, progress=update, ror=ror_path,
                                   positions=pos)
    if as_json:
        print_json(report.as_dict())
        return
    for name, engine in report.engines.items():
        console.print(f"{name}: on {engine}, {report.seconds.get(name, 0.0):.1f} s")
    console.print(f"Written to {report.build_dir} (now {out / 'current'}); read it with "
                  f"--db {out}.")


@app.command()
def stats(db: DbOption = None, as_json: JsonOption = False,
          files: Annotated[bool, typer.Option("--files", help="List every file.")] = False) -> None:
    """What the store holds: counts by venue, year, record family; ids; quarantine."""
    from talentgraph.store.stats import store_stats

    with reading(db) as con:
        data = store_stats(con)
    if as_json:
        print_json(data)
        return
    t, m = data["totals"], data["mentions"]
    console.print(f"[bold]{t['files']:,}[/bold] files, {t['records_read']:,} records read, "
                  f"{t['papers']:,} papers, {t['mentions']:,} author mentions"
                  + (f", [yellow]{t['partial_files']} files only partly readable[/yellow]"
                     if t["partial_files"] else ""))
    console.print(f"Mentions with an id: {m['with_any_id']:,} "
                  f"(OpenReview {m['with_openreview_id']:,}, e-mail {m['with_email']:,}); "
                  "with an affiliation attributed to the author: "
                  f"{m['with_aligned_affiliation']:,}")
    print_table(data["by_venue"], "By venue")
    print_table(data["by_family"], "By record family (see the corpus MANIFEST.md)")
    print_table(data["by_year"], "By year")
    print_table(data["quarantine"], "Quarantine (record: dropped; field: record kept)")
    if data["positions"]:
        print_table(data["positions"], "Dated positions by source (`talentgraph positions "
                    "unlinked` lists the unlinked ones)")
    if files:
        print_table(data["files"], "Files")


@app.command()
def download(
    url: Annotated[str, typer.Option(help="Archive of the paperlists repository.")] =
    config.PAPERLISTS_ARCHIVE,
    dest: Annotated[Path | None, typer.Option(help="Where to put the corpus.")] = None,
) -> None:
    """Fetch the public papercopilot/paperlists corpus over HTTP into the local cache."""
    from talentgraph.sources.download import download_paperlists

    target = dest or config.cache_dir() / "paperlists"
    with progress_bar() as update:
        count = download_paperlists(url, target, progress=update)
    console.print(f"{count:,} corpus files in {target}. "
                  f"Next: talentgraph build --paperlists {target}")


# ----------------------------------------------------------------------------------------------
# ingest: one sub-command per extra source

ingest_app = typer.Typer(help="Ingest another source into the store (each file or query "
                         "atomically; re-running an unchanged one changes nothing).",
                         no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")


@ingest_app.command("openalex")
def ingest_openalex(
    jsonl: Annotated[list[Path] | None, typer.Option(
        "--jsonl", help="An OpenAlex snapshot works file (part_NNN.gz, JSON Lines) or a folder "
        "of them; repeatable.")] = None,
    filter: Annotated[str | None, typer.Option(
        "--filter", help="An OpenAlex API works filter, e.g. "
        "'authorships.institutions.lineage:I1299303238'.")] = None,
    max_results: Annotated[int | None, typer.Option(
        "--max-results", min=1, help="Stop after this many works.")] = None,
    base_url: Annotated[str, typer.Option(
        "--base-url", help="The OpenAlex API.")] = "https://api.openalex.org",
    mailto: Annotated[str | None, typer.Option(
        "--mailto", envvar="OPENALEX_MAILTO",
        help="Your e-mail, sent as `mailto` for OpenAlex's polite pool.")] = None,
    per_second: Annotated[float, typer.Option(
        "--per-second", min=0.01, help="At most this many API requests per second.")] = 10.0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest OpenAlex works from snapshot files (--jsonl) or an API query (--filter)."""
    from talentgraph.sources import openalex
    from talentgraph.sources.openalex_api import OpenAlexClient
    from talentgraph.store import db as store

    if bool(jsonl) == bool(filter):
        raise typer.BadParameter("give either --jsonl PATH (repeatable) or --filter QUERY")
    con = store.connect(db_path(db))
    try:
        with progress_bar() as update:
            if jsonl:
                totals = openalex.ingest_jsonl(con, jsonl, progress=update)
            else:
                with OpenAlexClient(base_url, mailto=mailto, per_second=per_second) as client:
                    totals = openalex.ingest_query(con, client, filter, max_results=max_results,
                                                   progress=update)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if as_json:
        print_json({"db": str(db_path(db)), **totals})
        return
    console.print(
        f"OpenAlex: {totals['units']:,} unit(s) ({totals['ingested']:,} new, "
        f"{totals['replaced']:,} changed, {totals['unchanged']:,} unchanged): "
        f"{totals['papers']:,} works, {totals['mentions']:,} author mentions; "
        f"{totals['records_dropped']:,} records quarantined, {totals['problems']:,} problems "
        "noted (see `talentgraph stats`)."
        + (f" {totals['kept_elsewhere']:,} works kept elsewhere (another unit holds a newer "
           f"version), {totals['taken_over']:,} taken over from an older one."
           if totals.get("kept_elsewhere") or totals.get("taken_over") else "")
    )


# ----------------------------------------------------------------------------------------------
# export: the CSV contracts other tools rely on; each domain module adds its own below.

export_app = typer.Typer(help="Write the store's contract tables as CSV files.",
                         no_args_is_help=True)
app.add_typer(export_app, name="export")

careers.register(app)
export_app.command("moves")(careers.export_moves)
export_app.command("spells")(careers.export_spells)
positions.register(app, ingest_app)
sourcing.register(app)
people.register(app)
export_app.command("mentions")(people.export_mentions)
orgs.register(app)
web.register(app)


def _add_ops(argv: list[str]) -> None:
    """The `ops` group, only when the command line may need it: it imports SQLAlchemy (~0.5 s of
    start-up), which `source`, `person` and the other store commands never use."""
    words = [a for a in argv[1:] if not a.startswith("-")]
    # the console script, or `python -m talentgraph.cli` (argv[0] is "-m" while it imports)
    as_program = Path(argv[0]).name in ("talentgraph", "__main__.py", "-m") if argv else False
    if not as_program or not words or words[0] == "ops" or words[0] not in {
            c.name or (c.callback.__name__ if c.callback else "")
            for c in app.registered_commands} | {g.name for g in app.registered_groups}:
        from talentgraph.cli import ops

        app.add_typer(ops.ops_app, name="ops")


_add_ops(sys.argv)


# Commands whose plain command lines are read by cli/fastpath.py instead of Typer (~0.1 s less).
FAST = {"source": sourcing.source}


def _run_fast(argv: list[str]) -> bool:
    """Run `argv` (after the program name) through cli/fastpath.py; False: leave it to Typer."""
    command = FAST.get(argv[0]) if argv else None
    kwargs = fastpath.parse(command, argv[1:]) if command is not None else None
    if kwargs is None:
        return False
    try:
        command(**kwargs)
    except typer.BadParameter:
        return False  # checked before any work: Typer runs it again and reports it as usual
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    return True


def main() -> None:
    """Entry point: our own errors become one clear line and exit code 1, never a traceback."""
    try:
        if not _run_fast(sys.argv[1:]):
            app()
    except TalentgraphError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/yellow]: the file being written was rolled back")
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()

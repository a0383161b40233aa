"""CLI of dated positions: `ingest positions` (one option per source) and `positions unlinked`.
Registered on the main app from cli/main.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from talentgraph.cli import common

positions_app = typer.Typer(help="Dated positions (AI Watch, ORCID, OpenReview, OpenAlex, "
                            "your roster CSV) and their links to people.",
                            no_args_is_help=True)


def ingest_positions(
    aiwatch: Annotated[list[Path] | None, typer.Option(
        "--aiwatch", help="An AI Watch positions.csv (repeatable).")] = None,
    csv: Annotated[list[Path] | None, typer.Option(
        "--csv", help="A roster CSV from an ATS/HR system (repeatable): name, optional ids "
        "(orcid, openreview_id, dblp, google_scholar), organisation, title, start, end.")] = None,
    csv_org: Annotated[str | None, typer.Option(
        "--csv-org", help="The organisation of --csv rows that name none.")] = None,
    orcid: Annotated[list[str] | None, typer.Option(
        "--orcid", help="An ORCID iD whose employments to fetch from the public API "
        "(repeatable).")] = None,
    orcid_xml: Annotated[list[Path] | None, typer.Option(
        "--orcid-xml", help="ORCID public data file record XML files or folders "
        "(repeatable).")] = None,
    openreview: Annotated[list[str] | None, typer.Option(
        "--openreview", help="An OpenReview profile id (~First_Last1) to fetch (repeatable).")]
    = None,
    openalex_author: Annotated[list[str] | None, typer.Option(
        "--openalex-author", help="An OpenAlex author id (A...) to fetch (repeatable).")] = None,
    openalex_filter: Annotated[str | None, typer.Option(
        "--openalex-filter", help="An OpenAlex authors filter, e.g. "
        "'last_known_institutions.id:I1299303238'.")] = None,
    max_results: Annotated[int | None, typer.Option("--max-results", min=1)] = None,
    orcid_url: Annotated[str, typer.Option("--orcid-url")] = "https://pub.orcid.org",
    openreview_url: Annotated[str, typer.Option("--openreview-url")] =
    "https://api2.openreview.net",
    openalex_url: Annotated[str, typer.Option("--openalex-url")] = "https://api.openalex.org",
    per_second: Annotated[float, typer.Option("--per-second", min=0.01)] = 5.0,
    db: common.DbOption = None,
    as_json: common.JsonOption = False,
) -> None:
    """Ingest dated positions; each file or query is one unit, written atomically (re-running
    an unchanged one changes nothing). Links to people are made by the next `build` (or
    `talentgraph positions link`)."""
    from talentgraph.sources.positions import ingest as ing
    from talentgraph.sources.positions import openalex_authors
    from talentgraph.sources.positions import openreview as orv
    from talentgraph.sources.positions import orcid as orc
    from talentgraph.sources.positions.apiunit import json_client
    from talentgraph.store import db as store

    if not any((aiwatch, csv, orcid, orcid_xml, openreview, openalex_author, openalex_filter)):
        raise typer.BadParameter("give at least one source: --aiwatch, --csv, --orcid, "
                                 "--orcid-xml, --openreview, --openalex-author or "
                                 "--openalex-filter")
    con = store.connect(common.db_path(db))
    parts: list[dict[str, Any]] = []
    try:
        if aiwatch:
            parts.append(ing.ingest_aiwatch(con, aiwatch))
        if csv:
            parts.append(ing.ingest_roster(con, csv, csv_org))
        if orcid_xml:
            parts.append(ing.ingest_orcid_xml(con, orcid_xml))
        if orcid:
            with json_client(orcid_url, per_second) as client:
                parts.append(ing.ingest_units(con, [lambda o=o: orc.fetch(client, o)
                                                    for o in orcid]))
        if openreview:
            with json_client(openreview_url, per_second) as client:
                parts.append(ing.ingest_units(con, [lambda p=p: orv.fetch(client, p)
                                                    for p in openreview]))
        if openalex_author or openalex_filter:
            with json_client(openalex_url, per_second) as client:
                units = [lambda a=a: openalex_authors.fetch_author(client, a)
                         for a in openalex_author or []]
                if openalex_filter:
                    units.append(lambda: openalex_authors.fetch_filter(
                        client, openalex_filter, max_results))
                parts.append(ing.ingest_units(con, units))
        con.execute("CHECKPOINT")
    finally:
        con.close()
    total: dict[str, Any] = {"results": []}
    for p in parts:
        for k, v in p.items():
            total[k] = total.get(k, 0) + v if k != "results" else total[k] + v
    if as_json:
        common.print_json({"db": str(common.db_path(db)), **total})
        return
    common.console.print(
        f"Positions: {total['units']:,} unit(s) ({total['ingested']:,} new, "
        f"{total['replaced']:,} changed, {total['unchanged']:,} unchanged): "
        f"{total['positions']:,} positions; {total['records_dropped']:,} rows quarantined, "
        f"{total['problems']:,} problems noted (see `talentgraph stats`). Run `talentgraph "
        "build` (or `talentgraph positions link`) to link them to people.")


@positions_app.command("link")
def link(db: common.DbOption = None, as_json: common.JsonOption = False) -> None:
    """Link the positions to organisations and people, then rebuild careers and profiles.

    What `build` does after ingesting them."""
    from talentgraph import pipeline

    report = pipeline.rerun_stages(common.db_path(db), ["positions", "careers", "profiles"])
    if as_json:
        common.print_json(report.stages)
        return
    for name, result in report.stages.items():
        common.console.print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in result.items()))


@positions_app.command("unlinked")
def unlinked(limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
             db: common.DbOption = None, as_json: common.JsonOption = False) -> None:
    """Positions not linked to anyone in the store, with the reason (never guessed)."""
    from talentgraph.careers.positions import unlinked as find

    with common.reading(db) as con:
        rows = find(con)
    if as_json:
        common.print_json({"unlinked": len(rows), "positions": rows[:limit]})
        return
    common.console.print(f"{len(rows):,} positions unlinked")
    common.print_table(rows[:limit], "Unlinked positions",
                       ["person_name", "org_raw", "title", "start_date", "source", "reason"])


def register(app: typer.Typer, ingest_app: typer.Typer) -> None:
    ingest_app.command("positions")(ingest_positions)
    app.add_typer(positions_app, name="positions")

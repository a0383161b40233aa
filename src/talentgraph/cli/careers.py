"""CLI of the careers questions: `cohort`, `flows`, `export moves`, and the careers part of
`person`. Registered on the main app from cli/main.py (`careers.register(app)`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from talentgraph.cli import common


def attach_careers(con: Any, found: list[dict[str, Any]]) -> None:
    """Add `careers` (timeline, moves + records, papers, coauthors, topics) to each person dict
    of the `person` command; None where the store has no careers tables yet."""
    from talentgraph.careers.observations import table_exists
    from talentgraph.careers.person import person_careers

    ready = all(table_exists(con, t) for t in ("spells", "moves", "move_evidence"))
    for p in found:
        p["careers"] = person_careers(con, p["person_id"]) if ready else None


def print_person_careers(data: dict[str, Any] | None, label: str) -> None:
    """The careers tables of one person (after the people part of `person`)."""

    if data is None:
        common.console.print("[dim]no careers tables in this store: run `talentgraph build`[/dim]")
        return
    common.print_table([{**r, "roles": ", ".join(r["roles"] or []),
                      "concurrent_with": ", ".join(r["concurrent_with"] or []),
                      "evidence_kinds": ", ".join(r["evidence_kinds"] or [])}
                     for r in data["timeline"]], f"{label}: timeline (spells)",
                    ["org", "start_year", "end_year", "kind", "roles", "records",
                     "confidence", "evidence_kinds", "lag_records", "concurrent_with"])
    now = data.get("now")
    common.console.print(f"[bold]{label}: now[/bold] "
                         + (f"{now['org']} (since {now['since_year']}, last seen "
                            f"{now['seen_year']}): {now['evidence']}" if now else
                            "unknown: no open position and no corroborated spell"))
    if data.get("positions"):
        common.print_table(data["positions"], f"{label}: dated positions",
                           ["org", "org_raw", "title", "start_date", "end_date", "source",
                            "url", "link"])
    common.print_table(data["moves"], f"{label}: moves",
                    ["kind", "from_org", "to_org", "last_year_at_from", "first_year_at_to",
                     "confidence", "evidence"])
    common.print_table(data["move_evidence"], f"{label}: records behind the moves",
                    ["side", "year", "org", "evidence", "source_file", "record_id", "title"])
    common.print_table(data["coauthors"], f"{label}: frequent coauthors")
    common.print_table(data["topics"], f"{label}: topics")
    common.print_table(data["papers"][:15], f"{label}: latest papers",
                    ["year", "venue", "title", "affiliation"])


def cohort(
    paper: Annotated[str | None, typer.Option("--paper", help="Title or record id of a paper: "
                                              "its authors are the cohort.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="A file of names or person ids, "
                                              "one a line.")] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organisation: everyone seen there "
                                            "in --from..--to (or the home org of --paper/--file "
                                            "members).")] = None,
    year_from: Annotated[int | None, typer.Option("--from", help="First year.")] = None,
    year_to: Annotated[int | None, typer.Option("--to", help="Last year.")] = None,
    year: Annotated[int | None, typer.Option("--year", help="For --file: the cohort date.")]
    = None,
    db: Annotated[Path | None, typer.Option("--db", help="The store (DuckDB file).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Who of a group is still at the organisation, who left (to where, when, on what records)."""
    from talentgraph.careers.cohorts import cohort_report

    with common.reading(db) as con:
        data = cohort_report(con, paper=paper, file=file, org=org, year_from=year_from,
                             year_to=year_to, year=year)
    if as_json:
        common.print_json(data)
        return
    s = data["summary"]
    if data["cohort"] == "paper":
        p = data["paper"]
        common.console.print(f"[bold]Authors of[/bold] \"{p['title']}\" ({p['venue']} {p['year']}, "
                          f"{p['n_authors']} authors)")
    elif data["cohort"] == "org":
        common.console.print(f"[bold]Everyone seen at {data['org']['name']}[/bold] (and units "
                          f"below it) in {data['from']}-{data['to']}")
    common.console.print(f"[bold]{s['sentence']}[/bold]")
    if s["destinations"]:
        common.print_table([{"to": d["to"], "people": d["n"]} for d in s["destinations"]],
                        "Where those who left went (top-level organisation)")
    order = {"left": 0, "stayed": 1, "unknown": 2, "not_found": 3}
    rows = sorted(data["members"], key=lambda r: (order[r["status"]], r["name"]))
    common.print_table(rows, "Members (status relative to the home organisation and year)",
                    ["name", "status", "detail", "home", "since_year", "person_id"])


def flows(
    year_from: Annotated[int, typer.Option("--from", help="First year of arrival.")],
    year_to: Annotated[int, typer.Option("--to", help="Last year of arrival.")],
    org: Annotated[str | None, typer.Option("--org", help="Show this organisation's sources "
                                            "and destinations.")] = None,
    rollup: Annotated[bool, typer.Option("--rollup", help="Roll organisations up to their "
                                         "top-level parent (FAIR into Meta).")] = False,
    min_confidence: Annotated[float, typer.Option("--min-confidence")] = 0.0,
    internships: Annotated[bool, typer.Option("--internships", help="Count internships too.")]
    = False,
    top: Annotated[int, typer.Option("--top", help="Rows per table.")] = 20,
    db: Annotated[Path | None, typer.Option("--db", help="The store (DuckDB file).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Organisation-to-organisation moves over a year range; net gain or loss per organisation."""
    from talentgraph.careers.flows import flows as compute

    with common.reading(db) as con:
        data = compute(con, year_from, year_to, org, rollup, min_confidence, internships, top)
    if as_json:
        common.print_json(data)
        return
    common.console.print(f"{data['moves']:,} moves by {data['people']:,} people arriving "
                      f"{year_from}-{year_to} ({', '.join(data['kinds'])}"
                      f"{'; rolled up to parents' if rollup else ''})")
    common.print_table([{**r, "people": len(r["people"]),
                         "on_positions": r["evidence"]["moves_with_positions"],
                         "position_sources": " ".join(
                             f"{p['source']}:{(p['url'] or '').split()[0] if p['url'] else ''}"
                             for p in r["evidence"]["positions"][:2])}
                        for r in data["top_flows"]], "Top flows (moves on paper records; "
                       "on_positions: moves resting on a dated position too)",
                       ["from_org", "to_org", "moves", "people", "on_positions",
                        "position_sources"])
    common.print_table(data["net"], "Net gain / loss", ["org", "joined", "left", "net"])
    if org:
        o = data["org"]
        common.console.print(f"[bold]{o['name']}[/bold]: joined {data['joined']}, left "
                          f"{data['left']}, net {data['joined'] - data['left']:+d}")
        for side in ("sources", "destinations"):
            names = data.get("person_names", {})
            rows = [{**r, "people": ", ".join(names.get(p) or p for p in r["people"][:6])
                     + (" ..." if len(r["people"]) > 6 else "")} for r in data[side]]
            common.print_table(rows, f"Top {side}", ["org", "moves", "people"])


def export_moves(
    db: Annotated[Path | None, typer.Option("--db", help="The store (DuckDB file).")] = None,
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")] = Path("moves.csv"),
) -> None:
    """One row per detected move: person_id,from_org_id,from_org,from_parent,to_org_id,to_org,
    to_parent,last_year_at_from,first_year_at_to,kind,confidence."""
    from talentgraph.careers.export import export_moves as write

    common.export_csv(db, out, write, "moves")


def export_spells(
    db: Annotated[Path | None, typer.Option("--db", help="The store (DuckDB file).")] = None,
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")] = Path("spells.csv"),
) -> None:
    """One row per spell: person_id,org_id,org,ror_id,top_parent,start_year,end_year,kind,
    source,corroborated."""
    from talentgraph.careers.export import export_spells as write

    common.export_csv(db, out, write, "spells")


def register(app: typer.Typer) -> None:
    """Add `cohort` and `flows` to the main app."""
    app.command("cohort")(cohort)
    app.command("flows")(flows)

"""CLI of organisations: `orgs [QUERY]` and `org ORG_ID`. Registered on the main app from
cli/main.py (`orgs.register(app)`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from talentgraph.cli import common

DbOpt = Annotated[Path | None, typer.Option("--db", help="The store (DuckDB file).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def orgs(
    query: Annotated[str | None, typer.Argument(help="Part of an id, name or alias.")] = None,
    kind: Annotated[str | None, typer.Option(
        "--kind", help="industry_lab, startup, university, institute, government, company, "
        "unknown.")] = None,
    country: Annotated[str | None, typer.Option("--country", help="ISO code, e.g. GB.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 50,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Resolved organisations with kind, country, parent and mention counts."""
    from talentgraph.resolve.orgs.query import list_orgs

    with common.reading(db) as con:
        rows = list_orgs(con, query, kind, country, limit)
    if as_json:
        common.print_json(rows)
        return
    common.print_table(rows, f"Organisations{' matching ' + repr(query) if query else ''}",
                    ["org_id", "name", "kind", "country", "parent_id", "top_parent_id",
                     "n_mentions", "n_papers", "ror_id"])


def org(
    org_id: Annotated[str, typer.Argument(help="An org id, a name or an affiliation string.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One organisation: parents, children, aliases with their dates, domains, mentions by year."""
    from talentgraph.resolve.orgs.query import org_detail

    with common.reading(db) as con:
        data = org_detail(con, org_id)
    if as_json:
        common.print_json(data)
        return
    o = data["org"]
    chain = " -> ".join([o["org_id"], *(p["org_id"] for p in data["parents"])])
    common.console.print(f"[bold]{o['name']}[/bold] ({o['org_id']}): {o['kind']}, "
                      f"{o['country'] or 'country unknown'}; {chain}; "
                      f"{o['n_mentions']:,} mentions on {o['n_papers']:,} papers"
                      + ("" if o["curated"] or o.get("ror_id")
                         else " [dim](generated from the corpus)[/dim]"))
    if o.get("ror_id"):
        common.console.print(f"ROR https://ror.org/{o['ror_id']}")
    if data["successor"]:
        common.console.print(f"Merged into {data['successor']['org_id']} from "
                          f"{data['successor']['from']}: later mentions are counted there.")
    for p in data["predecessors"]:
        common.console.print(
            f"Successor of {p['org_id']} ({p['name']}) from {p['successor_from']}.")
    common.print_table(data["children"], "Children")
    common.print_table(data["aliases"], "Aliases")
    common.print_table(data["domains"], "Domains")
    common.print_table(data["mentions_by_year"], "Mentions by year")


def register(app: typer.Typer) -> None:
    app.command("orgs")(orgs)
    app.command("org")(org)

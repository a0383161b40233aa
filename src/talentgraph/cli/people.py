"""CLI of people: `person NAME-or-ID` and `export mentions`. Registered on the main app from
cli/main.py (`people.register(app)`, `export_app.command("mentions")(people.export_mentions)`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from talentgraph.cli import common

DbOpt = Annotated[Path | None, typer.Option("--db", help="The store (DuckDB file).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def person(
    query: Annotated[str, typer.Argument(
        help="A name ('Yann LeCun', 'Y. LeCun'), a person id, or an OpenReview/ORCID/DBLP id.")],
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many persons.")] = 20,
    mentions: Annotated[int, typer.Option("--mentions", min=0,
                                          help="Mentions listed per person.")] = 50,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The persons matching a name or id, with their mentions and organisations."""
    from talentgraph.resolve.people.query import find_persons

    with common.reading(db) as con:
        found = find_persons(con, query, limit, mentions)
        # careers part (cli/careers.py): timeline, moves, papers, coauthors, topics
        from talentgraph.cli.careers import attach_careers
        attach_careers(con, found[:3])
    if as_json:
        common.print_json(found)
        return
    common.print_table([{**p, "name_variants": "; ".join(p["name_variants"][:4]),
                      "openreview_ids": ", ".join(p["openreview_ids"])} for p in found],
                    f"Persons matching {query!r}",
                    ["person_id", "canonical_name", "n_mentions", "first_year", "last_year",
                     "openreview_ids", "name_variants"])
    for p in found[:3]:
        common.print_table(p["organisations"][:10], f"{p['canonical_name']} ({p['person_id']}): "
                        "organisations", ["organisation", "org_id", "mentions", "first_year",
                                          "last_year"])
        common.print_table(p["mentions"], f"{p['canonical_name']} ({p['person_id']}): mentions",
                        ["year", "venue", "title", "raw_name", "organisation", "method",
                         "confidence"])
    if found:  # careers part for the best match (cli/careers.py)
        from talentgraph.cli.careers import print_person_careers
        print_person_careers(found[0].get("careers"),
                             f"{found[0]['canonical_name']} ({found[0]['person_id']})")


def export_mentions(
    out: Annotated[Path, typer.Option("--out", help="The CSV file to write.")],
    db: DbOpt = None,
) -> None:
    """One row per author mention: source_file,record_id,position,raw_name,person_id,org_id,year."""
    from talentgraph.resolve.people.query import export_mentions as write

    common.export_csv(db, out, write, "mentions")


def register(app: typer.Typer) -> None:
    app.command("person")(person)

"""CLI of sourcing: `source` (ranked people for a topic) and `dossier` (the offer packet).
Registered on the main app from cli/main.py (`sourcing.register(app)`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from talentgraph.cli import common

DbOpt = Annotated[Path | None, typer.Option("--db", help="The store (DuckDB file). Default: "
                                            "$TALENTGRAPH_DB, else your data directory.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _open(db: Path | None):
    from talentgraph.sourcing.rank import for_searching
    from talentgraph.store import db as store

    return for_searching(store.connect(common.db_path(db), read_only=True))


def source(
    query: Annotated[str, typer.Argument(help="The topic, e.g. \"reinforcement learning from "
                                         "human feedback\".")],
    at: Annotated[list[str] | None, typer.Option("--at", help="Only people now at this "
                                                 "organisation (or a subsidiary); repeatable.")]
    = None,
    not_at: Annotated[list[str] | None, typer.Option("--not-at", help="Leave out people now at "
                                                     "this organisation; repeatable.")] = None,
    role: Annotated[str | None, typer.Option("--role", help="phd | student | researcher | "
                                             "senior | professor: the career stage from all the "
                                             "evidence (role titles over time, years active, "
                                             "papers, last-author share); people whose stage is "
                                             "unknown are left out.")]
    = None,
    since: Annotated[int | None, typer.Option("--since", help="Only papers from this year on "
                                              "count toward the topic.")] = None,
    country: Annotated[str | None, typer.Option("--country", help="Only people now in this "
                                                "country (ISO code such as US, or a name).")]
    = None,
    limit: Annotated[int, typer.Option("--limit", help="How many people.")] = 20,
    why: Annotated[bool, typer.Option("--why", help="Print each person's score components and "
                                      "top papers (always in --json).")] = False,
    ranking: Annotated[str, typer.Option("--ranking", help="learned (the model trained on past "
                                         "years; the hand-tuned one when it is absent) | hand "
                                         "(the hand-tuned weights of model.py).")] = "learned",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ranked people for a topic, every score explained (components and the papers behind it)."""
    from talentgraph.sourcing.learned import search as learned_search
    from talentgraph.sourcing.rank import Filters, search
    from talentgraph.store import db as store

    if ranking not in ("learned", "hand"):
        raise typer.BadParameter(f"--ranking must be learned or hand (got {ranking!r})")
    with store.pandas_unused():  # DuckDB would import it (~0.45 s): see store.db
        con = _open(db)
        try:
            run = learned_search if ranking == "learned" else search
            result = run(con, query, Filters(at=at or [], not_at=not_at or [], role=role,
                                             since=since, country=country), limit=limit)
        finally:
            con.close()
    if as_json:
        common.print_json(result.to_dict())
        return
    for m in result.org_matches:
        if m.how == "text":
            common.err_console.print(f"[yellow]note:[/yellow] {m.query!r} is not a known "
                                  "organisation: matched as text in affiliation names")
    short = {"expertise": "exp", "impact": "imp", "output": "out", "network": "net",
             "seniority": "sen", "mobility": "mob"}
    rows = []
    for p in result.people:
        top = p.components if result.ranker == "hand" else p.components[:3]
        rows.append({
            "rank": p.rank, "name": p.name,
            "score": round(p.score, 1 if result.ranker == "hand" else 2),
            "components": " ".join(f"{short.get(c.name, c.name)} {c.points:+.1f}"
                                   if result.ranker == "hand" else
                                   f"{c.name} {c.points:+.2f}" for c in top),
            "now at": ", ".join(p.where["orgs"][:2])
                      + ("" if p.where["source"] == "careers" else " *"),
            "stage": p.career_stage, "person_id": p.person_id,
        })
    common.print_table(rows, f"{query!r}: {result.candidates:,} people with matching papers "
                          f"({result.matched_papers:,} papers considered)")
    if any(p.where["source"] != "careers" for p in result.people):
        common.console.print("[dim]* now at: latest attributed affiliation, not a careers timeline"
                          + ("" if result.careers_used else " (none in this store)") + "[/dim]")
    if why:
        for p in result.people:
            common.console.print(f"\n[bold]{p.rank}. {p.name}[/bold] ({p.person_id}) "
                              f"score {p.score:.1f}")
            common.console.print(f"  career stage {p.career_stage}: {p.stage_evidence}")
            if result.ranker == "learned":
                common.console.print("  learned ranking; what moved the score (points):")
            for c in p.components:
                common.console.print(f"  {c.name:<10} {c.points:5.1f}  {c.evidence}"
                                     if result.ranker == "hand" else
                                     f"  {c.points:+6.2f}  {c.evidence}")
            for tp in p.top_papers:
                common.console.print(f"  - {tp['year']} {tp['venue']}: {tp['title']} "
                                  f"[dim]({tp['paper_id']}, author {tp['position'] + 1} of "
                                  f"{tp['n_authors']}, bm25 {tp['bm25']})[/dim]")


def dossier(
    person: Annotated[str, typer.Argument(help="Person id (as `source` prints it) or exact name.")],
    for_role: Annotated[str | None, typer.Option("--for-role", help="Role text to measure the "
                                                 "topic fit against.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="md | html | json")] = "md",
    ours: Annotated[list[str] | None, typer.Option("--ours", help="Our organisation (marks "
                                                   "coauthors there); repeatable. Default: "
                                                   "$TALENTGRAPH_OUR_ORGS, else the "
                                                   "organisation policy of the operational "
                                                   "store (`ops policy set organisation`), as "
                                                   "the web dossier.")] = None,
    ops_db: Annotated[str | None, typer.Option(
        "--ops-db", help="The operational store holding the organisation policy. Default: "
        "$TALENTGRAPH_OPS_DB, else ops.sqlite in your data directory.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of "
                                             "the terminal.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The packet an executive reads before an offer: timeline, papers, coauthors, fit, risks."""
    import sys

    from talentgraph.sourcing.dossier import build_dossier, our_orgs, render
    from talentgraph.store import db as store

    ours = our_orgs(ours) or _ours_from_policy(ops_db)
    with store.pandas_unused():
        con = _open(db)
        try:
            data = build_dossier(con, person, for_role=for_role, ours=ours)
        finally:
            con.close()
    text = render(data, "json" if as_json else fmt)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        return
    sys.stdout.write(text)


def _ours_from_policy(ops_db: str | None) -> list[str]:
    """Our organisation as the web reads it: the operational store's `organisation` policy
    (nothing when that store was never created: a SQLite file that does not exist)."""
    from sqlalchemy.engine import make_url

    from talentgraph.ops import settings
    from talentgraph.ops.db import OpsStore, resolve_url

    url = resolve_url(ops_db)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        return []
    store = OpsStore(url)
    try:
        with store.session() as s:
            return settings.our_org_queries(settings.our_organisation(s))
    finally:
        store.dispose()


def register(app: typer.Typer) -> None:
    """Add `source` and `dossier` to the main app."""
    app.command("source")(source)
    app.command("dossier")(dossier)

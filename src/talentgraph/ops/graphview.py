"""What the operational side needs from the talent graph, behind a small protocol.

`DuckDBGraphView` reads the analytical store (persons, mention_person, papers, mention_orgs,
orgs) when those derived tables exist; `FakeGraphView` serves tests and demos from a dict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol, runtime_checkable

from talentgraph.errors import NotFoundError, StoreError


@dataclass(frozen=True)
class PaperRef:
    title: str
    venue: str | None          # as written for people: "NeurIPS", "ICLR"
    year: int | None
    status: str | None
    author_position: int | None = None
    n_authors: int | None = None
    why: str | None = None     # why this paper was chosen (topic, authorship, oral, citations)


@dataclass(frozen=True)
class Coauthor:
    person_id: str
    name: str
    org: str | None  # the coauthor's most recent organisation, when known
    org_id: str | None = None
    shared_papers: int = 1


@dataclass(frozen=True)
class PersonSummary:
    person_id: str
    name: str
    top_papers: list[PaperRef] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    coauthors: list[Coauthor] = field(default_factory=list)


@runtime_checkable
class GraphView(Protocol):
    def person_summary(self, person_id: str, topic: str | None = None) -> PersonSummary:
        """The person's name, best papers (for `topic` when given), topics and coauthors;
        NotFoundError if unknown."""
        ...


class FakeGraphView:
    """An in-memory graph: {person_id: PersonSummary}."""

    def __init__(self, people: Mapping[str, PersonSummary]) -> None:
        self.people = dict(people)

    def person_summary(self, person_id: str, topic: str | None = None) -> PersonSummary:
        if person_id not in self.people:
            raise NotFoundError(f"no person {person_id!r} in the graph")
        return self.people[person_id]


class DuckDBGraphView:
    """Reads the analytical store read-only; each call opens and closes its own connection."""

    REQUIRED = ("persons", "mention_person", "papers")

    def __init__(self, path: Path | str, top_papers: int = 3, topics: int = 5,
                 coauthors: int = 50, our_org_ids: Sequence[str] = ()) -> None:
        self.path = Path(path)
        self.limits = (top_papers, topics, coauthors)
        self.our_org_ids = list(our_org_ids)

    def collaborators_left(self, person_id: str, as_of: date) -> tuple[int, int | None]:
        """(close collaborators who left, close collaborators) as of `as_of`'s year.

        The definition is `ops.retention.graph.collaborators_left`, the one the flight-risk
        weight was fitted with (benchmarks/flight_risk.py), so the number shown is the number
        the score uses. With our organisation's ids, only moves away from it count. Needs the
        `moves` table (careers stage); without it the graph gives no evidence: (0, None).
        """
        from talentgraph.ops.retention.graph import NEEDED, collaborators_left

        con, tables = self._connect()
        try:
            if not set(NEEDED) <= tables:
                return 0, None
            found = collaborators_left(con, person_id, as_of.year, org_ids=self.our_org_ids)
        finally:
            con.close()
        return found.count, found.close

    def _connect(self):  # noqa: ANN202 - duckdb is imported lazily
        import duckdb

        if not self.path.exists():
            raise StoreError(f"no analytical store at {self.path}: run `talentgraph build`")
        from talentgraph.store import suppress

        try:
            con = duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error as exc:  # e.g. locked by a running build
            raise StoreError(f"cannot read the analytical store at {self.path}: {exc}") from exc
        suppress.apply(con, self.path)  # erased people are not there for letters and dossiers
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        missing = [t for t in self.REQUIRED if t not in tables]
        if missing:
            con.close()
            raise StoreError(f"the analytical store at {self.path} has no {', '.join(missing)} "
                             "table yet: rebuild it with `talentgraph build` (person resolution "
                             "stage); until then create candidates without graph facts")
        return con, tables

    def person_name(self, person_id: str) -> str:
        """The person's name in the graph (NotFoundError if unknown)."""
        con, _tables = self._connect()
        try:
            row = con.execute("SELECT canonical_name FROM persons WHERE person_id = ?",
                              [person_id]).fetchone()
        finally:
            con.close()
        if row is None:
            raise NotFoundError(f"no person {person_id!r} in the analytical store")
        return row[0]

    def person_summary(self, person_id: str, topic: str | None = None) -> PersonSummary:
        """The papers are chosen by the dossier's ranking (`sourcing.dossier.ranked_papers`:
        relevance to `topic`, authorship position, orals and spotlights, citations), so the
        search index (the build's index stage) is needed."""
        from talentgraph.sourcing import dossier, venues
        from talentgraph.sourcing import index as sourcing_index

        n_papers, n_topics, n_coauthors = self.limits
        con, tables = self._connect()
        try:
            row = con.execute("SELECT canonical_name FROM persons WHERE person_id = ?",
                              [person_id]).fetchone()
            if row is None:
                raise NotFoundError(f"no person {person_id!r} in the analytical store")
            if not sourcing_index.has_table(con, "sourcing_papers"):
                raise StoreError(f"the analytical store at {self.path} has no search index to "
                                 "choose the person's papers from: rebuild it with "
                                 "`talentgraph build` (index stage)")
            papers = dossier.ranked_papers(con, person_id, topic, limit=n_papers)
            keywords = con.execute("""
                SELECT kw, count(*) AS n FROM (
                    SELECT unnest(p.keywords) AS kw FROM mention_person mp
                    JOIN papers p USING (paper_id) WHERE mp.person_id = ?)
                WHERE kw IS NOT NULL AND trim(kw) <> ''
                GROUP BY kw ORDER BY n DESC, kw LIMIT ?""",
                                   [person_id, 8 * n_topics]).fetchall()
            coauthors = self._coauthors(con, tables, person_id, n_coauthors)
        finally:
            con.close()
        return PersonSummary(
            person_id=person_id, name=row[0],
            top_papers=[PaperRef(p["title"], venues.venue_name(p["venue"]), p["year"],
                                 p["status"], p["author_position"], p["n_authors"], p["why"])
                        for p in papers],
            topics=venues.clean_topics([k for k, _ in keywords], n_topics),
            coauthors=coauthors)

    @staticmethod
    def _coauthors(con, tables: set[str], person_id: str, limit: int) -> list[Coauthor]:  # noqa: ANN001
        has_orgs = {"mention_orgs", "orgs"} <= tables
        # The coauthor's organisation on their latest shared paper (best-ranked affiliation).
        org_sql = """(SELECT o.name || '|' || o.org_id
                      FROM mention_orgs mo JOIN orgs o USING (org_id)
                      WHERE mo.paper_id = r.paper_id AND mo.position = r.position
                      ORDER BY mo.rank NULLS LAST LIMIT 1)""" if has_orgs else "NULL"
        rows = con.execute(f"""
            WITH mine AS (SELECT DISTINCT paper_id FROM mention_person WHERE person_id = ?),
            c AS (
                SELECT mp.person_id, mp.paper_id, mp.position, p.year
                FROM mention_person mp JOIN mine USING (paper_id) JOIN papers p USING (paper_id)
                WHERE mp.person_id <> ?),
            ranked AS (
                SELECT c.*, count(DISTINCT c.paper_id) OVER (PARTITION BY c.person_id) AS n,
                       row_number() OVER (PARTITION BY c.person_id
                                          ORDER BY c.year DESC NULLS LAST, c.paper_id) AS rn
                FROM c)
            SELECT r.person_id, ps.canonical_name, {org_sql} AS org, r.n FROM ranked r
            JOIN persons ps USING (person_id)
            WHERE r.rn = 1 ORDER BY r.n DESC, ps.canonical_name LIMIT ?""",
            [person_id, person_id, limit]).fetchall()
        out = []
        for pid, name, org, n in rows:
            org_name, _, org_id = (org or "").partition("|")
            out.append(Coauthor(pid, name, org_name or None, org_id or None, int(n)))
        return out

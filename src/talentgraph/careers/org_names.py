"""The names by which careers tells one organisation under two ids apart (timelines rule 0).

An organisation is known by its own name and, when it carries a ROR id, by the full names of the
ROR records it succeeded (labels and aliases; not acronyms, which many places share): a
university renamed or merged ("Université Pierre-et-Marie-Curie", inactive in ROR, succeeded by
Sorbonne Université) is the same employer under its new name, and a person seen at "University
of Pierre and Marie Curie" (a long-tail id without ROR) and then at Sorbonne Université has not
moved. Its own record's labels in other languages are not added: the organisations stage has
matched them already, and the narrow spelling rules of resolve.orgs.same, written for one
language, read "Université de Californie du Sud" (USC) as "Université de Californie" (the UC
system).
"""

from __future__ import annotations

import duckdb

from talentgraph.careers.observations import _column_exists, table_exists

# An organisation's names, curated or not: {org_id: ((name, ...), curated)}.
OrgNames = dict[str, tuple[tuple[str, ...], bool]]

_ROR_NAME_KINDS = ("ror_display", "label", "alias")


def org_names(con: duckdb.DuckDBPyConnection) -> OrgNames:
    """Every organisation's names: its own first, then those of the ROR records it succeeded."""
    if not table_exists(con, "orgs"):
        return {}
    curated = "coalesce(curated, false)" if _column_exists(con, "orgs", "curated") else "false"
    out: OrgNames = {r[0]: ((r[1] or r[0],), bool(r[2])) for r in con.execute(
        f"SELECT org_id, name, {curated} FROM orgs").fetchall()}
    if not (_column_exists(con, "orgs", "ror_id") and table_exists(con, "ror_names")
            and table_exists(con, "ror_relations")):
        return out
    rows = con.execute(f"""
        WITH preds AS (
            SELECT other_id AS ror_id, ror_id AS named_by FROM ror_relations
            WHERE rel_type = 'successor'
            UNION SELECT ror_id, other_id FROM ror_relations WHERE rel_type = 'predecessor'),
        names AS (
            SELECT p.ror_id, n.name FROM preds p JOIN ror_names n ON n.ror_id = p.named_by
            WHERE n.kind IN {_ROR_NAME_KINDS})
        SELECT o.org_id, list(DISTINCT n.name ORDER BY n.name)
        FROM orgs o JOIN names n ON n.ror_id = o.ror_id
        GROUP BY o.org_id""").fetchall()
    for org_id, extra in rows:
        own, cur = out[org_id]
        out[org_id] = (own + tuple(x for x in extra if x and x not in own), cur)
    return out

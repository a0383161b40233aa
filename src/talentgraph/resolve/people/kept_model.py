"""The learned m/u kept from one build to the next while their labelled input is unchanged
(issue #17).

Learning (model.learn) scores every blocked pair of the OpenReview-labelled fragments, a large
share of the people stage. A build keeps the parameters it learned last while the fragments
(their rows, features included, lists compared as sets) are exactly those they were learned on:
learning again would give the same. Keeping them while the fragments changed a little was tried
(within 5% of their number): on the corpus, 3 new venue-years without OpenReview ids left the
number of fragments as it was, but their features (topic terms, coauthor and organisation keys)
changed, and the kept m/u moved 2,658 mentions into other persons and changed the confidence of
4,279 of 17,519 moves against a build from scratch. Equality comes first.

A full build (`--full`) and a change of the stage's code drop this table (pipeline
StageSpec.state) and learn afresh.
"""

from __future__ import annotations

import json

import duckdb

from talentgraph.resolve.people import model

TABLE = "people_model"


def _has(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? "
                            "AND NOT temporary", [TABLE]).fetchone()[0])


def digest(con: duckdb.DuckDBPyConnection, fragments: str) -> str:
    """Row count and sum of row hashes of `fragments`, each list column sorted (their order
    comes from parallel aggregates)."""
    cols = [(name, typ) for name, typ, *_ in con.execute(f"DESCRIBE {fragments}").fetchall()]
    parts = ", ".join(f"list_sort({name})" if typ.endswith("[]") else name
                      for name, typ in cols)
    n, total = con.execute(f"SELECT count(*), coalesce(sum(hash({parts})::HUGEINT), 0) "
                           f"FROM {fragments}").fetchone()
    return f"{n}:{total}"


def learn_or_keep(con: duckdb.DuckDBPyConnection, fragments: str) -> tuple[model.Params, str]:
    """(parameters, how they were had: 'learned' or 'kept') for the labelled `fragments`."""
    now = digest(con, fragments)
    if _has(con):
        row = con.execute(f"SELECT digest, params FROM {TABLE}").fetchone()
        if row is not None and row[0] == now:
            saved = json.loads(row[1])
            levels = {k: [tuple(mu) for mu in v] for k, v in saved["levels"].items()}
            return (model.Params(levels=levels, prior=saved["prior"], source=saved["source"],
                                 pairs=saved["pairs"], matches=saved["matches"]), "kept")
    params = model.learn(con, fragments)
    # remembered only when the stage has written its tables (save): the persons of an
    # interrupted run must not be taken for ones resolved with these parameters
    con.execute("CREATE OR REPLACE TEMP TABLE pp_model_learned (digest VARCHAR, "
                "params VARCHAR)")
    con.execute("INSERT INTO pp_model_learned VALUES (?, ?)", [now, json.dumps({
        "levels": params.levels, "prior": params.prior, "source": params.source,
        "pairs": params.pairs, "matches": params.matches})])
    return params, "learned"


def save(con: duckdb.DuckDBPyConnection) -> None:
    """Remember the parameters learned in this run (none when they were kept)."""
    if con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = "
                   "'pp_model_learned' AND temporary").fetchone()[0]:
        con.execute(f"CREATE OR REPLACE TABLE {TABLE} AS SELECT * FROM pp_model_learned")
        con.execute("DROP TABLE pp_model_learned")

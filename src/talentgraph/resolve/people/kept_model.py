"""The learned m/u kept from one build to the next while their labelled input changed little
(issue #17).

Learning (model.learn) scores every blocked pair of the OpenReview-labelled fragments, a large
share of the people stage. A few new venue-years add a few per cent of fragments, which moves
the learned frequencies by far less than the shrinkage towards the priors does. So a build keeps
the parameters it learned last while the number of labelled fragments differs by at most
KEEP_MAX_CHANGE from the number they were learned on (the comparison is with the build that
learned them, so small changes cannot add up unnoticed). A full build (`--full`) and a change
of the stage's code drop this table (pipeline StageSpec.state) and learn afresh.

The price: until the next relearning, persons are resolved with parameters learned on slightly
less data than a build from scratch would use; benchmarks/build.py lists the mentions whose
person differs from such a build.
"""

from __future__ import annotations

import json

import duckdb

from talentgraph.resolve.people import model

TABLE = "people_model"
KEEP_MAX_CHANGE = 0.05


def _has(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? "
                            "AND NOT temporary", [TABLE]).fetchone()[0])


def learn_or_keep(con: duckdb.DuckDBPyConnection, fragments: str) -> tuple[model.Params, str]:
    """(parameters, how they were had: 'learned' or 'kept (...)') for the labelled `fragments`."""
    n = con.execute(f"SELECT count(*) FROM {fragments}").fetchone()[0]
    if _has(con):
        row = con.execute(f"SELECT n_fragments, params FROM {TABLE}").fetchone()
        if row is not None and row[0] > 0 and abs(n - row[0]) <= KEEP_MAX_CHANGE * row[0]:
            saved = json.loads(row[1])
            levels = {k: [tuple(mu) for mu in v] for k, v in saved["levels"].items()}
            return (model.Params(levels=levels, prior=saved["prior"], source=saved["source"],
                                 pairs=saved["pairs"], matches=saved["matches"]),
                    f"kept ({n} labelled fragments, learned on {row[0]})")
    params = model.learn(con, fragments)
    # remembered only when the stage has written its tables (save): the persons of an
    # interrupted run must not be taken for ones resolved with these parameters
    con.execute("CREATE OR REPLACE TEMP TABLE pp_model_learned (n_fragments BIGINT, "
                "params VARCHAR)")
    con.execute("INSERT INTO pp_model_learned VALUES (?, ?)", [n, json.dumps({
        "levels": params.levels, "prior": params.prior, "source": params.source,
        "pairs": params.pairs, "matches": params.matches})])
    return params, "learned"


def save(con: duckdb.DuckDBPyConnection) -> None:
    """Remember the parameters learned in this run (none when they were kept)."""
    if con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = "
                   "'pp_model_learned' AND temporary").fetchone()[0]:
        con.execute(f"CREATE OR REPLACE TABLE {TABLE} AS SELECT * FROM pp_model_learned")
        con.execute("DROP TABLE pp_model_learned")

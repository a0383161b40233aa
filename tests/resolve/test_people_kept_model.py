"""The people stage keeps its learned m/u while the labelled input changed little (issue #17)."""

from __future__ import annotations

import duckdb
import pytest

from talentgraph.resolve.people import kept_model, model


def _fragments(con: duckdb.DuckDBPyConnection, n: int) -> None:
    con.execute(f"CREATE OR REPLACE TABLE frags AS SELECT range AS unique_id FROM range({n})")


def test_parameters_are_kept_while_the_labelled_fragments_change_little(
        monkeypatch: pytest.MonkeyPatch) -> None:
    learned: list[int] = []

    def learn(con: duckdb.DuckDBPyConnection, fragments: str) -> model.Params:
        n = con.execute(f"SELECT count(*) FROM {fragments}").fetchone()[0]
        learned.append(n)
        levels = {k: [(0.5, 0.25 + n / 1e6) for _ in v] for k, v in model.PRIORS.items()}
        return model.Params(levels=levels, prior=n / 1e4, source="labelled fragments",
                            pairs=n, matches=n // 2)

    monkeypatch.setattr(model, "learn", learn)
    con = duckdb.connect()
    _fragments(con, 1000)
    first, how = kept_model.learn_or_keep(con, "frags")
    assert how == "learned"
    _fragments(con, 1001)
    assert kept_model.learn_or_keep(con, "frags")[1] == "learned"  # the run did not finish
    _fragments(con, 1000)
    kept_model.learn_or_keep(con, "frags")
    kept_model.save(con)
    _fragments(con, 1050)  # +5%: kept, exactly as learned
    kept, how = kept_model.learn_or_keep(con, "frags")
    assert how.startswith("kept") and kept == first
    _fragments(con, 1051)  # +5.1% of what they were learned on: learned again
    again, how = kept_model.learn_or_keep(con, "frags")
    assert how == "learned" and again != first
    assert learned == [1000, 1001, 1000, 1051]

"""The people stage keeps its learned m/u while their labelled input is unchanged (issue #17)."""

from __future__ import annotations

import duckdb
import pytest

from talentgraph.resolve.people import kept_model, model


def _fragments(con: duckdb.DuckDBPyConnection, n: int, terms: str = "['a', 'b']") -> None:
    con.execute(f"CREATE OR REPLACE TABLE frags AS SELECT range AS unique_id, "
                f"{terms} AS terms FROM range({n})")


def test_parameters_are_kept_only_while_the_labelled_fragments_are_the_same(
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
    assert kept_model.learn_or_keep(con, "frags")[1] == "learned"  # the run did not finish
    kept_model.save(con)
    _fragments(con, 1000, "['b', 'a']")  # the same fragments, a list in another order: kept
    kept, how = kept_model.learn_or_keep(con, "frags")
    assert how == "kept" and kept == first
    _fragments(con, 1000, "['a', 'c']")  # as many fragments, one feature changed: learned
    assert kept_model.learn_or_keep(con, "frags")[1] == "learned"
    assert learned == [1000, 1000, 1000]

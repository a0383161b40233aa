"""One rule, two readings: the SQL text and the Python value of every operation agree in DuckDB."""

from __future__ import annotations

import duckdb
import pytest

from talentgraph.resolve.pairrules import (
    And,
    EditDistance,
    Eq,
    Ge,
    Initial,
    L,
    Length,
    Not,
    Or,
    R,
    StartsWith,
)

ROWS = [({"a": "o'brien", "b": True}, {"a": "obrien", "b": False}),
        ({"a": "", "b": False}, {"a": "jonathan", "b": True}),
        ({"a": "jonathon", "b": True}, {"a": "jonathan", "b": True})]
RULES = [Eq(L.a, R.a), Eq(L.a, "o'brien"), Ge(Length(L.a), 6), Eq(Initial(L.a), Initial(R.a)),
         StartsWith(R.a, L.a), Eq(EditDistance(L.a, R.a), 1), Not(L.b),
         And(L.b, Or(R.b, Eq(L.a, ""))), Or(Eq(L.a, ""), And(L.b, R.b, Not(Eq(L.a, R.a))))]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.sql())
def test_sql_and_python_read_a_rule_alike(rule) -> None:
    con = duckdb.connect()
    for left, right in ROWS:
        got = con.execute(f"SELECT {rule.sql()} FROM (SELECT ? AS a_l, ? AS b_l, ? AS a_r, "
                          "? AS b_r)", [left["a"], left["b"], right["a"], right["b"]]).fetchone()
        assert got[0] == rule.evaluate(left, right), (rule.sql(), left, right)


def test_a_value_sql_cannot_hold_is_refused() -> None:
    with pytest.raises(TypeError):
        Eq(L.a, object()).sql()

"""Rules over a pair of records written once, read two ways: as Python and as SQL.

A rule is a small expression tree over the columns of the two records of a pair (`L.family`,
`R.given`, ...). `rule.sql()` renders it for the pairwise SQL (Splink's comparison levels, whose
columns are suffixed `_l` / `_r`, run in DuckDB), and `rule.evaluate(left, right)` computes it on
two rows in Python. Each operation below is defined once with both renderings, so Python and SQL
read the same rule and cannot drift apart; tests/resolve/test_name_parity.py checks the two
renderings against each other in DuckDB on generated names.

Hand-written, on purpose: no kept library turns one expression into both a DuckDB SQL string and
a plain Python predicate cheap enough for per-pair calls (sqlglot's executor plans a query per
call; ibis and polars need a query engine behind the Python side).

Columns must never be NULL (absent parts are ''), so SQL's three-valued logic and Python's
two-valued logic agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein

Row = Mapping[str, Any]


class Expr:
    """A node of a rule: renders to SQL, evaluates on a (left, right) pair of rows."""

    def sql(self) -> str:
        raise NotImplementedError

    def evaluate(self, left: Row, right: Row) -> Any:
        raise NotImplementedError


def _sql(x: Any) -> str:
    if isinstance(x, Expr):
        return x.sql()
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int | float):
        return repr(x)
    if isinstance(x, str):
        return "'" + x.replace("'", "''") + "'"
    raise TypeError(f"cannot render {x!r} as SQL")


def _eval(x: Any, left: Row, right: Row) -> Any:
    return x.evaluate(left, right) if isinstance(x, Expr) else x


@dataclass(frozen=True)
class Col(Expr):
    """A column of one side of the pair: `name_l` or `name_r` in SQL."""

    name: str
    side: str  # "l" or "r"

    def sql(self) -> str:
        return f"{self.name}_{self.side}"

    def evaluate(self, left: Row, right: Row) -> Any:
        return (left if self.side == "l" else right)[self.name]


class Side:
    """`L.family` is Col('family', 'l')."""

    def __init__(self, side: str) -> None:
        self._side = side

    def __getattr__(self, name: str) -> Col:
        return Col(name, self._side)


L, R = Side("l"), Side("r")


@dataclass(frozen=True)
class _Call(Expr):
    """An operation with a SQL template and the Python function of the same meaning."""

    template: str
    fn: Callable[..., Any]
    args: tuple[Any, ...]

    def sql(self) -> str:
        return self.template.format(*(_sql(a) for a in self.args))

    def evaluate(self, left: Row, right: Row) -> Any:
        return self.fn(*(_eval(a, left, right) for a in self.args))


def Eq(a: Any, b: Any) -> Expr:  # noqa: N802 - reads like the SQL it renders
    return _Call("({} = {})", lambda x, y: x == y, (a, b))


def Ge(a: Any, b: Any) -> Expr:  # noqa: N802
    return _Call("({} >= {})", lambda x, y: x >= y, (a, b))


def Not(a: Any) -> Expr:  # noqa: N802
    return _Call("(NOT {})", lambda x: not x, (a,))


def Initial(a: Any) -> Expr:  # noqa: N802
    """The first letter ('' for '')."""
    return _Call("left({}, 1)", lambda x: x[:1], (a,))


def Length(a: Any) -> Expr:  # noqa: N802
    return _Call("length({})", len, (a,))


def StartsWith(a: Any, prefix: Any) -> Expr:  # noqa: N802
    return _Call("starts_with({}, {})", lambda x, p: x.startswith(p), (a, prefix))


def EditDistance(a: Any, b: Any) -> Expr:  # noqa: N802
    """Damerau-Levenshtein distance (DuckDB's damerau_levenshtein, rapidfuzz's)."""
    return _Call("damerau_levenshtein({}, {})", DamerauLevenshtein.distance, (a, b))


@dataclass(frozen=True)
class _Join(Expr):
    op: str  # "AND" or "OR"
    parts: tuple[Any, ...]

    def sql(self) -> str:
        return "(" + f" {self.op} ".join(_sql(p) for p in self.parts) + ")"

    def evaluate(self, left: Row, right: Row) -> bool:
        values = (bool(_eval(p, left, right)) for p in self.parts)
        return all(values) if self.op == "AND" else any(values)


def And(*parts: Any) -> Expr:  # noqa: N802
    return _Join("AND", parts)


def Or(*parts: Any) -> Expr:  # noqa: N802
    return _Join("OR", parts)


@dataclass(frozen=True)
class Level:
    """One comparison level: its label and the rule that selects it (first true level wins)."""

    label: str
    rule: Expr


def first_level(levels: tuple[Level, ...], left: Row, right: Row, otherwise: str) -> str:
    """The label of the first level whose rule holds for the pair, else `otherwise`."""
    for level in levels:
        if level.rule.evaluate(left, right):
            return level.label
    return otherwise

"""The stages' DuckDB SQL, carried over to Spark SQL: one text, two engines.

The stages write their SQL once, in DuckDB's dialect. For Spark it is parsed with sqlglot (as
Splink does for its own SQL) and rewritten where the two engines differ in meaning, not only in
spelling; sqlglot covers the spelling (list_transform -> transform, string_split -> split,
QUALIFY -> a subquery, ...). What is rewritten here, and why:

- DuckDB macros (`CREATE TEMP MACRO f(x) AS ...`) do not exist in Spark: they are remembered and
  inlined where they are called.
- `len(list)` is a list's length in DuckDB, `length(string)` a string's; sqlglot reads both as
  LENGTH, which Spark only has for strings: `len` becomes `size`.
- List subscripts are 1-based in DuckDB and 0-based in Spark: `l[i]` becomes
  `element_at(l, nullif(i, 0))` (NULL out of range, as in DuckDB with ANSI mode off).
- `list_slice(l, a, b)` (inclusive bounds) becomes `slice(l, a, b - a + 1)`.
- `regexp_full_match(s, p)` becomes `s RLIKE '^(?:p)\\z'`; `isfinite(x)` a comparison;
  `format('{:,}', n)` becomes `format_number(n, 0)`.
- `list(DISTINCT x ORDER BY x)` becomes `array_sort(collect_set(x))`.
- Parameters (`?`, `$1`) are bound as literals before the text goes to Spark.

`SELECT * REPLACE (...)` has no Spark spelling: the star is expanded with the columns Spark
reports for the FROM clause (`resolve_columns`). Statements that are not queries (CREATE TABLE
AS, INSERT, DROP) are interpreted by the connection (engines/spark.py), not here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB

from talentgraph.errors import TalentgraphError


class PortError(TalentgraphError):
    """A DuckDB statement that has no Spark form here (the message names the construct)."""


class _TgDuckDB(DuckDB):
    """DuckDB as the stages write it: `len` is a list's length (sqlglot reads it as LENGTH);
    subscripts are kept as written (1-based): sqlglot would shift only those it can type."""

    INDEX_OFFSET = 0

    class Parser(DuckDB.Parser):
        FUNCTIONS = {**DuckDB.Parser.FUNCTIONS, "LEN": exp.ArraySize.from_arg_list}


@dataclass
class Macro:
    params: list[str]
    body: exp.Expression


@dataclass
class Translator:
    """Parses DuckDB statements, remembering macros, and renders Spark SQL."""

    macros: dict[str, Macro] = field(default_factory=dict)

    def parse(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
              ) -> list[exp.Expression]:
        """The statements of `sql` with parameters bound and macros inlined; macro definitions
        are remembered and left out."""
        try:
            statements = [s for s in sqlglot.parse(sql, read=_TgDuckDB) if s is not None]
        except sqlglot.errors.ParseError as exc:
            raise PortError(f"cannot parse the stage SQL: {exc}") from exc
        out = []
        for stmt in statements:
            if isinstance(stmt, exp.Create) and str(stmt.args.get("kind", "")).upper() == "MACRO":
                udf = stmt.this
                name = udf.this.name.lower()
                self.macros[name] = Macro([p.name for p in udf.expressions], stmt.expression)
                continue
            out.append(stmt)
        if params is not None:
            out = [_bind(s, params) for s in out]
        return [self._inline(s) for s in out]

    def _inline(self, node: exp.Expression) -> exp.Expression:
        def expand(n: exp.Expression) -> exp.Expression:
            if isinstance(n, exp.Anonymous) and str(n.this).lower() in self.macros:
                macro = self.macros[str(n.this).lower()]
                if len(n.expressions) != len(macro.params):
                    raise PortError(f"macro {n.this} takes {len(macro.params)} arguments")
                args = dict(zip(macro.params, n.expressions, strict=True))
                body = macro.body.copy()

                def put(m: exp.Expression) -> exp.Expression:
                    if isinstance(m, exp.Column) and not m.table and m.name in args:
                        return exp.paren(args[m.name].copy(), copy=False)
                    return m

                return self._inline(body.transform(put))
            return n

        return node.transform(expand)


def _literal(value: Any) -> exp.Expression:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, dt.datetime):
        return exp.cast(exp.Literal.string(value.isoformat()), "TIMESTAMP")
    if isinstance(value, list | tuple):
        return exp.Array(expressions=[_literal(v) for v in value])
    return exp.Literal.string(str(value))


def _bind(stmt: exp.Expression, params: Sequence[Any] | dict[str, Any]) -> exp.Expression:
    values = list(params) if not isinstance(params, dict) else []
    counter = iter(range(len(values)))

    def put(n: exp.Expression) -> exp.Expression:
        if isinstance(n, exp.Placeholder):
            name = n.name
            if isinstance(params, dict):
                return _literal(params[name])
            if name and name.isdigit():
                return _literal(values[int(name) - 1])
            return _literal(values[next(counter)])
        if isinstance(n, exp.Parameter):  # $1 in DuckDB
            key = n.name
            if isinstance(params, dict):
                return _literal(params[key])
            return _literal(values[int(key) - 1])
        return n

    return stmt.transform(put)


def _fn(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _spark_rewrite(node: exp.Expression) -> exp.Expression:
    """Meaning-level rewrites of one node (see the module docstring)."""
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1:
        idx = node.expressions[0]
        if isinstance(idx, exp.Literal) and idx.is_string:
            return node  # struct field
        return _fn("element_at", node.this, _fn("nullif", idx, exp.Literal.number(0)))
    if isinstance(node, exp.RegexpFullMatch) and isinstance(node.expression, exp.Literal):
        return exp.RegexpLike(this=node.this,
                              expression=exp.Literal.string(f"^(?:{node.expression.this})\\z"))
    if isinstance(node, exp.Anonymous):
        name = str(node.this).lower()
        args = node.expressions
        if name == "list_slice" and len(args) == 3:
            length = exp.Add(this=exp.Sub(this=args[2].copy(), expression=args[1].copy()),
                             expression=exp.Literal.number(1))
            return _fn("slice", args[0], args[1],
                       _fn("greatest", exp.paren(length), exp.Literal.number(0)))
        if name == "regexp_full_match" and len(args) == 2 and isinstance(args[1], exp.Literal):
            return exp.RegexpLike(this=args[0],
                                  expression=exp.Literal.string(f"^(?:{args[1].this})\\z"))
        if name == "isfinite" and len(args) == 1:
            x = args[0]
            return exp.paren(exp.and_(
                exp.Not(this=_fn("isnan", x.copy())),
                exp.LT(this=_fn("abs", x.copy()),
                       expression=exp.cast(exp.Literal.string("Infinity"), "DOUBLE"))))
        if name == "list_intersect" and len(args) == 2:
            return _fn("array_intersect", *args)
    if isinstance(node, exp.Format) or (isinstance(node, exp.Anonymous)
                                        and str(node.this).lower() == "format"):
        args = [node.this, *node.expressions] if isinstance(node, exp.Format) else node.expressions
        if args and isinstance(args[0], exp.Literal) and args[0].this == "{:,}":
            return _fn("format_number", args[1], exp.Literal.number(0))
    if isinstance(node, exp.ArrayAgg):
        inner = node.this
        if isinstance(inner, exp.Order):
            inner = inner.this
        if isinstance(inner, exp.Distinct):
            return _fn("array_sort", _fn("collect_set", inner.expressions[0]))
        if isinstance(node.this, exp.Order):
            # ordered list(): sort a list of (key, value) pairs, keep the values
            order = node.this
            key = order.expressions[0].this
            pair = _fn("struct", key.copy(), inner.copy())
            return _fn("transform", _fn("array_sort", _fn("collect_list", pair)),
                       exp.Lambda(this=exp.Dot(this=exp.column("p"),
                                               expression=exp.to_identifier("col2")),
                                  expressions=[exp.to_identifier("p")]))
    return node


def to_spark(stmt: exp.Expression,
             resolve_columns: Callable[[str], list[str]] | None = None) -> str:
    """Spark SQL for one parsed DuckDB statement. `resolve_columns(from_sql)` gives the columns
    of a FROM clause (in Spark SQL), needed to expand `* REPLACE`."""
    tree = stmt.copy().transform(_spark_rewrite)
    if resolve_columns is not None:
        tree = _expand_replace(tree, resolve_columns)
    return tree.sql(dialect="spark")


def _expand_replace(tree: exp.Expression,
                    resolve_columns: Callable[[str], list[str]]) -> exp.Expression:
    # deepest first: an outer star reads the columns of an inner select already expanded
    for select in reversed(list(tree.find_all(exp.Select))):
        stars = [e for e in select.expressions
                 if isinstance(e, exp.Star) and e.args.get("replace")]
        if not stars:
            continue
        src = exp.select("*").from_(select.args["from_"].this.copy())
        for join in select.args.get("joins") or []:
            src = src.join(join.copy())
        columns = resolve_columns(src.sql(dialect="spark"))
        new: list[exp.Expression] = []
        for e in select.expressions:
            if e not in stars:
                new.append(e)
                continue
            replaced = {r.alias_or_name: r for r in e.args["replace"]}
            dropped = {c.name for c in e.args.get("except") or []}
            for c in columns:
                if c in dropped:
                    continue
                new.append(replaced[c] if c in replaced else exp.column(c, quoted=True))
        select.set("expressions", new)
    return tree

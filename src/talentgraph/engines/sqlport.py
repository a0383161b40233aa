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
- `trim(x)` (and ltrim, rtrim) without characters removes every Unicode space separator (Zs:
  the no-break space, the ideographic space, ...) in DuckDB, only ' ' in Spark: it becomes a
  `regexp_replace` of `\\p{Zs}` at that end. With characters given, both remove just those.
- `hash(x)` becomes `tg_duckdb_hash(x)`, DuckDB's own hash computed by DuckDB in a pandas UDF:
  the stages cut blocks into buckets by it, and Spark's hash would cut others.
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

                body = self._inline(body.transform(put))
                # the body keeps its own precedence where it is called: `x AND tg_scalar(t)`
                # with a body `t = 34 OR ...` must not become `x AND t = 34 OR ...`
                atomic = (exp.Column, exp.Literal, exp.Paren, exp.Identifier)
                return body if isinstance(body, atomic) else exp.paren(body, copy=False)
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
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1 \
            and isinstance(node.expressions[0], exp.Slice):
        return _slice(node.this, node.expressions[0])
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1:
        idx = node.expressions[0]
        if isinstance(idx, exp.Literal) and idx.is_string:
            return node  # struct field
        return _fn("element_at", node.this, _fn("nullif", idx, exp.Literal.number(0)))
    if isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.INT128):
        # HUGEINT (sums of 64-bit hashes, e.g. the people stage's m/u digest): Spark has no
        # 128-bit integer; DECIMAL(38, 0) holds such sums exactly
        return exp.Cast(this=node.this, to=exp.DataType.build("DECIMAL(38, 0)"))
    if isinstance(node, exp.Trim) and node.args.get("expression") is None:
        return _trim_spaces(node)
    if isinstance(node, exp.ArrayOverlaps):  # list_has_any, printed `&&` for Spark
        return _fn("arrays_overlap", node.this, node.expression)
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
        if name in ("regexp_split_to_array", "string_split_regex") and len(args) == 2:
            return _fn("split", args[0], args[1], exp.Literal.number(-1))
        if name == "hash" and len(args) == 1:
            return _fn("tg_duckdb_hash", args[0])  # engines/spark.py: DuckDB's own hash
        if name == "list_bool_or" and len(args) == 1:
            return _fn("array_contains", args[0], exp.true())
        if name == "list_has_any" and len(args) == 2:
            return _fn("arrays_overlap", *args)
        if name == "list_intersect" and len(args) == 2:
            return _fn("array_intersect", *args)
    if isinstance(node, exp.Format) or (isinstance(node, exp.Anonymous)
                                        and str(node.this).lower() == "format"):
        args = [node.this, *node.expressions] if isinstance(node, exp.Format) else node.expressions
        if args and isinstance(args[0], exp.Literal) and args[0].this == "{:,}":
            return _fn("format_number", args[1], exp.Literal.number(0))
    if isinstance(node, exp.Filter) and isinstance(node.this, exp.ArrayAgg):
        # list(DISTINCT x) FILTER (WHERE c): the filter stays on the aggregate, inside the sort
        inner = _spark_rewrite(node.this.copy())
        if isinstance(inner, exp.Anonymous) and str(inner.this).lower() in ("array_sort",
                                                                             "transform"):
            agg = inner.expressions[0]
            agg.replace(exp.Filter(this=agg.copy(), expression=node.expression.copy()))
            return inner
        return exp.Filter(this=inner, expression=node.expression)
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


def _rewrite(node: exp.Expression) -> exp.Expression:
    """_spark_rewrite over a whole tree. sqlglot's transform does not descend into a node that
    was replaced, so the arguments a rewrite carried over (`trim(l[i + 1])`: the subscript in
    it) are rewritten here; the new node itself is not rewritten again."""
    new = _spark_rewrite(node)
    if new is node:
        return node
    for child in list(new.iter_expressions()):
        child.replace(child.transform(_rewrite))
    return new


def _trim_spaces(node: exp.Trim) -> exp.Expression:
    """DuckDB's trim/ltrim/rtrim without characters: every Unicode space separator (Zs) at that
    end, as Java's regex class \\p{Zs} (the same 17 code points)."""
    position = str(node.args.get("position") or "BOTH").upper()
    # \z, not $: Java's $ also matches before a final line break, which trim does not skip
    ends = {"LEADING": r"^\p{Zs}+", "TRAILING": r"\p{Zs}+\z"}
    pattern = ends.get(position, ends["LEADING"] + "|" + ends["TRAILING"])
    return _fn("regexp_replace", node.this, exp.Literal.string(pattern), exp.Literal.string(""))


def _series(node: exp.GenerateSeries) -> exp.Expression:
    """DuckDB's range(a, b) / generate_series(a, b) as a Spark array (empty when a > b, where
    Spark's sequence would count down)."""
    start = node.args["start"].copy()
    end = node.args["end"].copy()
    if node.args.get("is_end_exclusive"):
        end = exp.Sub(this=exp.paren(end), expression=exp.Literal.number(1))
    return exp.If(this=exp.LT(this=end.copy(), expression=start.copy()),
                  true=exp.Array(expressions=[]), false=_fn("sequence", start, end))


def _table_functions(tree: exp.Expression) -> exp.Expression:
    """`FROM t, range(1, len(parts)) AS s(i)`: a table function reading the row beside it,
    which Spark writes as `FROM t LATERAL VIEW explode(...) s AS i`."""
    for select in list(tree.find_all(exp.Select)):
        for join in list(select.args.get("joins") or []):
            table = join.this
            if not (isinstance(table, exp.Table) and isinstance(table.this, exp.GenerateSeries)):
                continue
            alias = table.args.get("alias")
            name = alias.name if alias else "_tg_series"
            cols = alias.columns if alias and alias.columns else [exp.to_identifier("range")]
            select.append("laterals", exp.Lateral(
                this=exp.Explode(this=_series(table.this)), view=True, outer=False,
                alias=exp.TableAlias(this=exp.to_identifier(name),
                                     columns=[c.copy() for c in cols])))
            join.pop()
    return tree


def _qualify(tree: exp.Expression) -> exp.Expression:
    """QUALIFY (Spark has none): the window values become columns of an inner select, the
    condition filters an outer one that drops them again (sqlglot's own rewrite keeps them
    under `*`, and two in one statement clash)."""
    counter = 0
    for select in reversed(list(tree.find_all(exp.Select))):
        qualify = select.args.get("qualify")
        if qualify is None:
            continue
        cond = qualify.this.copy()
        names = []
        # an aggregate's alias in the window (`ORDER BY c` for `count(*) AS c`): Spark wants
        # the aggregate itself there
        aggregates = {a.alias: a.this for a in select.expressions
                      if isinstance(a, exp.Alias) and a.this.find(exp.AggFunc) is not None}

        def unalias(n: exp.Expression, aggregates: dict = aggregates) -> exp.Expression:
            if isinstance(n, exp.Column) and not n.table and n.name in aggregates:
                return aggregates[n.name].copy()
            return n

        for window in list(cond.find_all(exp.Window)):
            name = f"_tg_q{counter}"
            counter += 1
            names.append(name)
            select.append("expressions", exp.alias_(window.copy().transform(unalias), name))
            window.replace(exp.column(name))
        select.set("qualify", None)
        inner = select.copy()
        star = exp.Star(except_=[exp.column(n) for n in names]) if names else exp.Star()
        outer = exp.select(star).from_(inner.subquery(f"_tg_qt{counter}")).where(cond)
        select.replace(outer)
        if select is tree:
            tree = outer
    return tree


def _hoist_unnest(tree: exp.Expression) -> exp.Expression:
    """DuckDB unnests a list anywhere in a select list (`'d:' || unnest(l)`); Spark only takes a
    generator as a whole projection: the list is exploded in a LATERAL VIEW and the expression
    reads its column (one row an element, none for an empty list, as unnest)."""
    counter = 0
    for select in list(tree.find_all(exp.Select)):
        for explode in [e for e in select.find_all(exp.Explode)
                        if e.parent_select is select]:
            parent = explode.parent
            if isinstance(parent, exp.Select | exp.Lateral) or (isinstance(parent, exp.Alias)
                                                   and isinstance(parent.parent, exp.Select)):
                continue  # a whole projection: Spark takes it as it is
            name = f"_tg_u{counter}"
            counter += 1
            lateral = exp.Lateral(this=explode.copy(), view=True, outer=False,
                                  alias=exp.TableAlias(this=exp.to_identifier(f"{name}_t"),
                                                       columns=[exp.to_identifier(name)]))
            explode.replace(exp.column(name))
            if select.args.get("from_") is None:
                select.set("from_", exp.From(this=exp.select("1 AS _one").subquery("_one")))
            select.append("laterals", lateral)
    return tree


def _slice(lst: exp.Expression, bounds: exp.Slice) -> exp.Expression:
    """DuckDB's `l[a:b]`: 1-based, both ends included, a negative end counts from the back
    (-1 is the last), a missing one is the list's end; as Spark's slice(l, start, length)."""
    size = _fn("size", lst.copy())

    def position(bound: exp.Expression | None, default: exp.Expression) -> exp.Expression:
        if bound is None:
            return default
        negative = exp.Add(this=exp.Add(this=size.copy(), expression=bound.copy()),
                           expression=exp.Literal.number(1))
        if isinstance(bound, exp.Neg) or (isinstance(bound, exp.Literal)
                                          and str(bound.this).startswith("-")):
            return negative
        if isinstance(bound, exp.Literal):
            return bound
        return exp.If(this=exp.LT(this=bound.copy(), expression=exp.Literal.number(0)),
                      true=negative, false=bound.copy())

    start = _fn("greatest", position(bounds.this, exp.Literal.number(1)), exp.Literal.number(1))
    end = _fn("least", position(bounds.expression, size.copy()), size.copy())
    length = _fn("greatest", exp.Add(this=exp.Sub(this=end, expression=start.copy()),
                                     expression=exp.Literal.number(1)), exp.Literal.number(0))
    return _fn("slice", lst, start, length)


def to_spark(stmt: exp.Expression,
             resolve_columns: Callable[[str], list[str]] | None = None) -> str:
    """Spark SQL for one parsed DuckDB statement. `resolve_columns(from_sql)` gives the columns
    of a FROM clause (in Spark SQL), needed to expand `* REPLACE`."""
    tree = _qualify(_table_functions(stmt.copy()))
    tree = tree.transform(_rewrite)
    tree = _hoist_unnest(tree)
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

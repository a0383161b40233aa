"""A DuckDB-connection-like object over a SparkSession: the stages' SQL runs on Spark unchanged.

Only the part of the DuckDB Python API that the stages use is here: `execute(sql, params)`
(returning itself), `fetchall`, `fetchone`, `description`, `to_arrow_table`, `executemany`,
`register`/`unregister`, `cursor`, `close`. Each statement is carried to Spark SQL by
engines/sqlport.py and then interpreted:

- a query: a DataFrame, collected (as Arrow) only when fetched;
- `CREATE [OR REPLACE] [TEMP] TABLE t AS q`: the query's DataFrame, materialised (a local
  checkpoint: its lineage is cut, as a DuckDB table would be computed once), as temp view t;
- `CREATE ... VIEW v AS q`: a temp view, not materialised;
- `CREATE TABLE t (columns)`, `INSERT INTO t [BY NAME] q | VALUES`: an empty DataFrame of that
  schema, unions;
- `DROP TABLE|VIEW`: the temp view dropped;
- transactions (BEGIN, COMMIT, ROLLBACK), CHECKPOINT and SET: nothing. A Spark build is made
  atomic another way: it writes a new output folder and switches to it at the end
  (engines/output.py).

Tables live as temp views of the session; `tables()` lists them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa
from sqlglot import exp

from talentgraph.engines.sqlport import PortError, Translator, to_spark

# Spark settings the ported SQL relies on: NULL (not an error) for an out-of-range subscript or a
# failed cast, as in DuckDB's TRY_ forms and list access; size(NULL) is NULL, as len(NULL).
SQL_CONF = {
    "spark.sql.ansi.enabled": "false",
    "spark.sql.legacy.sizeOfNull": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.caseSensitive": "false",
}


def _dedupe_columns(df: Any) -> Any:
    """A join of `r.*` and `k.*` gives a column twice (same values); Spark refuses a view with
    a duplicate name, so later ones are renamed `name_1`, ... (DuckDB's renaming)."""
    seen: dict[str, int] = {}
    names = []
    for c in df.columns:
        key = c.lower()
        if key in seen:
            seen[key] += 1
            names.append(f"{c}_{seen[key]}")
        else:
            seen[key] = 0
            names.append(c)
    return df.toDF(*names) if names != list(df.columns) else df


class SparkConnection:
    """The DuckDB connection API subset the stages use, executed on `spark`."""

    def __init__(self, spark: Any, translator: Translator | None = None) -> None:
        self.spark = spark
        self.translator = translator or Translator()
        self._result: Any = None
        self._arrow: pa.Table | None = None
        self._pos = 0
        for key, value in SQL_CONF.items():
            spark.conf.set(key, value)
        register_functions(spark)

    # -- the DuckDB API -----------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
                ) -> SparkConnection:
        self._result, self._arrow, self._pos = None, None, 0
        for stmt in self.translator.parse(sql, params):
            self._run(stmt)
        return self

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> SparkConnection:
        """INSERT ... VALUES (?, ...) for many rows: one union, not one job a row."""
        stmts = self.translator.parse(sql)
        if len(stmts) != 1 or not isinstance(stmts[0], exp.Insert):
            raise PortError("executemany is only ported for INSERT ... VALUES")
        target = _table_name(stmts[0].this)
        old = self.spark.table(target)
        rows = [tuple(r) for r in rows]
        if rows:
            new = self.spark.createDataFrame(rows, schema=old.schema)
            self._save(target, old.unionByName(new), materialise=True)
        return self

    def fetchall(self) -> list[tuple[Any, ...]]:
        table = self._fetch_arrow()
        rows = list(zip(*[c.to_pylist() for c in table.columns], strict=True)) \
            if table.num_columns else []
        out = rows[self._pos:]
        self._pos = len(rows)
        return out

    def fetchone(self) -> tuple[Any, ...] | None:
        table = self._fetch_arrow()
        if self._pos >= table.num_rows:
            return None
        row = tuple(c[self._pos].as_py() for c in table.columns)
        self._pos += 1
        return row

    def to_arrow_table(self) -> pa.Table:
        return self._fetch_arrow()

    fetch_arrow_table = to_arrow_table

    def to_arrow_reader(self, batch_rows: int = 1_000_000) -> pa.RecordBatchReader:
        """The result in Arrow batches, for a stage that is Python over rows (careers walks
        each person's observations in order). Here the rows come to the driver, which is fine
        in local mode; at scale the same per-person function runs on the executors instead,
        as `groupBy("person_id").applyInArrow(...)` over the observations table, each group
        sorted the way the ORDER BY sorts it."""
        table = self._fetch_arrow()
        return pa.RecordBatchReader.from_batches(table.schema,
                                                 table.to_batches(max_chunksize=batch_rows))

    def fetchnumpy(self) -> dict[str, Any]:
        table = self._fetch_arrow()
        return {n: c.to_numpy(zero_copy_only=False) for n, c in
                zip(table.column_names, table.columns, strict=True)}

    @property
    def description(self) -> list[tuple[Any, ...]] | None:
        if self._result is None:
            return None
        return [(f.name, f.dataType.simpleString(), None, None, None, None, None)
                for f in self._result.schema.fields]

    def register(self, name: str, data: Any) -> SparkConnection:
        df = self.spark.createDataFrame(data) if not hasattr(data, "createOrReplaceTempView") \
            else data
        df.createOrReplaceTempView(name)
        return self

    def unregister(self, name: str) -> SparkConnection:
        self.spark.catalog.dropTempView(name)
        return self

    def cursor(self) -> SparkConnection:
        return SparkConnection(self.spark, self.translator)

    def close(self) -> None:
        self._result = None

    # -- beyond the DuckDB API ----------------------------------------------------------------

    def table(self, name: str) -> Any:
        """The DataFrame of a table or view."""
        return self.spark.table(name)

    def tables(self) -> list[str]:
        return [t.name for t in self.spark.catalog.listTables()
                if t.isTemporary and not t.name.startswith(CATALOG_VIEW)]

    def spark_sql(self, sql: str) -> str:
        """The Spark SQL that a DuckDB statement becomes (for reading and tests)."""
        return "\n;\n".join(to_spark(s, self._columns_of) for s in self.translator.parse(sql))

    def port_expression(self, sql: str) -> str:
        """A DuckDB SQL expression (a Splink comparison level's) as Spark SQL."""
        stmt = self.translator.parse(f"SELECT {sql}")[0]
        return to_spark(stmt).removeprefix("SELECT ")

    def save(self, name: str, df: Any, materialise: bool = True) -> None:
        self._save(name, df, materialise)

    # -- interpretation -----------------------------------------------------------------------

    def _columns_of(self, from_sql: str) -> list[str]:
        return list(self.spark.sql(from_sql).columns)

    def _query(self, stmt: exp.Expression) -> Any:
        return self.spark.sql(to_spark(self._catalog(stmt), self._columns_of))

    def _catalog(self, stmt: exp.Expression) -> exp.Expression:
        """DuckDB's catalog (`information_schema.tables`, `duckdb_tables()`), as the stages
        ask it whether a table exists or which temporary tables to drop: the session's temp
        views, as a view of that shape."""
        def is_catalog(n: exp.Expression) -> str | None:
            if isinstance(n, exp.Table) and n.db.lower() == "information_schema" \
                    and n.name.lower() in ("tables", "columns"):
                return n.name.lower()
            if isinstance(n, exp.Table) and isinstance(n.this, exp.Anonymous) \
                    and str(n.this.this).lower() == "duckdb_tables":
                return "tables"
            return None

        if not any(is_catalog(n) for n in stmt.find_all(exp.Table)):
            return stmt
        rows = [(t, "BASE TABLE", True, "main") for t in self.tables()]
        self.spark.createDataFrame(
            rows, schema="table_name string, table_type string, temporary boolean, "
                         "schema_name string").createOrReplaceTempView(CATALOG_VIEW)
        columns = [(t, f.name, f.dataType.simpleString()) for t in self.tables()
                   for f in self.spark.table(t).schema.fields]
        self.spark.createDataFrame(
            columns, schema="table_name string, column_name string, data_type string"
        ).createOrReplaceTempView(CATALOG_VIEW + "_columns")

        def put(n: exp.Expression) -> exp.Expression:
            kind = is_catalog(n)
            if kind:
                view = CATALOG_VIEW if kind == "tables" else CATALOG_VIEW + "_columns"
                return exp.to_table(view).as_(n.alias_or_name if n.alias else kind)
            return n

        return stmt.transform(put)

    def _fetch_arrow(self) -> pa.Table:
        if self._arrow is None:
            if self._result is None:
                raise PortError("nothing to fetch: the last statement was not a query")
            self._arrow = self._result.toArrow()
        return self._arrow

    def _save(self, name: str, df: Any, materialise: bool) -> None:
        df = _dedupe_columns(df)
        # A table: cut the lineage like a DuckDB table, later statements read the computed
        # rows (local mode keeps them in the executors' block store; on a cluster the same call
        # spreads them over the executors; a shared checkpoint folder would survive the loss of
        # one: SparkContext.setCheckpointDir + checkpoint()).
        # A view: computed once, when first read, so a view that later statements read many
        # times (paperlists_sql's `kv`, a join read by ~50 problem checks) is not joined again
        # each time. A Spark view holds the plan of the tables it read when it was created, so
        # caching it changes nothing it shows.
        df = _forget_estimate(df.localCheckpoint(eager=True)) if materialise else df.cache()
        df.createOrReplaceTempView(name)

    def _run(self, stmt: exp.Expression) -> None:
        if isinstance(stmt, exp.Create):
            self._create(stmt)
        elif isinstance(stmt, exp.Insert):
            self._insert(stmt)
        elif isinstance(stmt, exp.Delete):
            name = _table_name(stmt.this)
            where = stmt.args.get("where")
            keep = exp.select("*").from_(name)
            if where is not None:  # the rows for which the condition is not true stay
                keep = keep.where(exp.Not(this=exp.func("coalesce", where.this.copy(),
                                                       exp.false())))
            else:
                keep = keep.where(exp.false())
            self._save(name, self._query(keep), materialise=True)
        elif isinstance(stmt, exp.Drop):
            name = _table_name(stmt.this)
            with contextlib.suppress(Exception):
                self.spark.catalog.dropTempView(name)
        elif isinstance(stmt, exp.Query):
            self._result = self._query(stmt)
        elif isinstance(stmt, exp.Describe):  # DuckDB's columns: name, type, null, ...
            fields = self.spark.table(_table_name(stmt.this)).schema.fields
            self._result = self.spark.createDataFrame(
                [(f.name, f.dataType.simpleString(), "YES", None, None, None) for f in fields],
                schema="column_name string, column_type string, null string, key string, "
                       "default string, extra string")
        elif isinstance(stmt, exp.Transaction | exp.Commit | exp.Rollback | exp.Set) or (
                isinstance(stmt, exp.Command)
                and str(stmt.this).upper() in ("CHECKPOINT", "SET", "BEGIN")):
            return
        else:
            raise PortError(f"no Spark form for the statement: {stmt.sql('duckdb')[:200]}")

    def _create(self, stmt: exp.Create) -> None:
        kind = str(stmt.args.get("kind", "")).upper()
        target = stmt.this
        name = _table_name(target)
        if kind not in ("TABLE", "VIEW"):
            raise PortError(f"no Spark form for CREATE {kind}")
        if stmt.args.get("exists") and name.lower() in {t.lower() for t in self.tables()}:
            return
        if stmt.expression is not None:
            df = self._query(stmt.expression)
            self._save(name, df, materialise=kind == "TABLE")
            return
        if isinstance(target, exp.Schema):
            cols = ", ".join(
                f"`{c.name}` {c.args['kind'].sql(dialect='spark')}"
                for c in target.expressions if isinstance(c, exp.ColumnDef))
            self._save(name, self.spark.createDataFrame([], schema=cols), materialise=False)
            return
        raise PortError(f"no Spark form for {stmt.sql('duckdb')[:200]}")

    def _insert(self, stmt: exp.Insert) -> None:
        target = stmt.this
        name = _table_name(target)
        old = self.spark.table(name)
        source = stmt.expression
        if isinstance(source, exp.Values):
            new = self.spark.sql(to_spark(exp.select("*").from_(source.copy())))
        else:
            new = self._query(source)
        if stmt.args.get("by_name"):
            new = new.select(*[c for c in old.columns if c in new.columns])
            merged = old.unionByName(new, allowMissingColumns=True)
        else:
            cols = [c.name for c in target.expressions] if isinstance(target, exp.Schema) \
                else old.columns[:len(new.columns)]
            new = new.toDF(*cols)
            merged = old.unionByName(new, allowMissingColumns=True)
        merged = merged.select(*[merged[c].cast(old.schema[c].dataType) for c in old.columns])
        self._save(name, merged, materialise=True)


CATALOG_VIEW = "tg_catalog_tables"
# A table whose planned size is above this is given Spark's "size unknown" (see _forget_estimate).
ESTIMATE_CAP = 1 << 40


def _forget_estimate(df: Any) -> Any:
    """A checkpointed table keeps the size Spark's planner estimated for the query that made it
    (Dataset.checkpoint carries the origin's statistics over), and without column statistics
    that estimate of a join is the product of its inputs' sizes. A loop that joins a table with
    itself and checkpoints (the people stage's pointer jumping) squares it each round: at 5% of
    the real corpus the careers stage then spent minutes multiplying numbers of millions of
    digits while planning (measured: BigInteger.multiply under SizeInBytesOnlyStatsPlanVisitor).
    A table whose estimate passed ESTIMATE_CAP (far above a broadcastable size) is therefore
    re-created over the same checkpointed rows with no estimate (spark.sql.defaultSizeInBytes);
    adaptive execution still sizes its joins from the actual rows at run time."""
    from pyspark.sql import DataFrame

    plan = df._jdf.logicalPlan()
    if int(str(plan.stats().sizeInBytes())) <= ESTIMATE_CAP:
        return df
    rows = plan.rdd() if plan.getClass().getSimpleName() == "LogicalRDD" \
        else df._jdf.queryExecution().toRdd()
    spark = df.sparkSession
    return DataFrame(spark._jsparkSession.internalCreateDataFrame(rows, df._jdf.schema(), False),
                     spark)


def register_functions(spark: Any) -> None:
    """DuckDB functions the stages call that Spark lacks, as Python UDFs (Arrow batches):
    tg_unescape (HTML entities, the paperlists rules' own), strip_accents."""
    import unicodedata

    from pyspark.sql.functions import pandas_udf, udf

    from talentgraph.sources.clean import unescape

    @udf(returnType="string", useArrow=True)
    def tg_unescape(value: str | None) -> str | None:
        return None if value is None else unescape(value)

    @udf(returnType="string", useArrow=True)
    def strip_accents(value: str | None) -> str | None:
        # DuckDB: decompose, drop the combining marks
        if value is None:
            return None
        return "".join(c for c in unicodedata.normalize("NFD", value)
                       if not unicodedata.combining(c))

    import pandas as pd

    def duckdb_hash(values: Any) -> Any:
        # DuckDB's own hash (a UBIGINT), computed by DuckDB on each Arrow batch: the stages
        # bucket with it (resolve/people/nodes.py), and Spark's hash would cut other buckets
        import decimal

        import duckdb

        frame = pd.DataFrame({"v": values})  # noqa: F841 (read by the query below)
        got = duckdb.connect().execute("SELECT hash(v) FROM frame").fetchnumpy()
        return pd.Series([decimal.Decimal(int(h)) for h in next(iter(got.values()))],
                         dtype=object)

    duckdb_hash.__annotations__ = {"values": pd.Series, "return": pd.Series}
    tg_duckdb_hash = pandas_udf(duckdb_hash, "decimal(20,0)")

    spark.udf.register("tg_unescape", tg_unescape)
    spark.udf.register("tg_duckdb_hash", tg_duckdb_hash)
    spark.udf.register("strip_accents", strip_accents)


def _table_name(node: exp.Expression) -> str:
    if isinstance(node, exp.Schema):
        node = node.this
    if isinstance(node, exp.Table):
        return node.name
    return node.name if hasattr(node, "name") else str(node)


def session(master: str = "local[2]", app_name: str = "talentgraph",
            conf: dict[str, str] | None = None) -> Any:
    """A SparkSession for a build: Python workers run this interpreter and import this
    talentgraph (on a cluster, spark-submit ships the package instead: see the README),
    with Splink's similarity functions (jaro_winkler, ...) on the class path."""
    import os
    import sys
    from pathlib import Path

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    package_root = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH", "")
    if package_root not in path.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, path) if p)
    builder = SparkSession.builder.master(master).appName(app_name)
    settings = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "8",
        "spark.driver.memory": os.environ.get("TALENTGRAPH_SPARK_DRIVER_MEMORY", "2g"),
        "spark.executorEnv.PYTHONPATH": os.environ["PYTHONPATH"],
        **SQL_CONF,
        **(conf or {}),
    }
    with contextlib.suppress(Exception):
        from splink.backends.spark import similarity_jar_location

        settings.setdefault("spark.jars", similarity_jar_location())
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark

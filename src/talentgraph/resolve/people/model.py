"""The probabilistic part: a Fellegi-Sunter model (Splink on DuckDB) scoring pairs of nodes.

Why this model:
- Evidence for "same person" is a handful of independent-ish signals (name compatibility,
  shared coauthors, shared organisations, shared topic terms, time gap). Fellegi-Sunter turns
  each into a log-likelihood ratio that adds up, and every score can be explained level by level
  (the match_key / gamma columns say which evidence drove it), which the product needs.
- An exact name match is split into levels by how ambiguous the name is: the count the name
  would have if given and family names combined at random (features.py). Two 'Yang Liu' nodes
  get far less from their name than two 'Abulikemu Abuduweili' nodes, so ambiguous names need
  coauthor or organisation evidence before they merge while rare names merge on little. The
  name's own frequency would be wrong here: one prolific 'Sergey Levine' makes it frequent, not
  ambiguous. (Explicit levels rather than Splink's term-frequency adjustment, because that
  adjustment assumes u is measured over random pairs, while ours is measured inside the blocks.)
- m and u are NOT fitted by EM: the corpus carries its own labels. Mentions with an OpenReview
  profile id are grouped into (profile, venue-year) fragments and every blocked pair of
  fragments is labelled by whether the profile ids agree; m and u are the level frequencies among
  labelled matches and non-matches. Both are measured INSIDE the blocks (pairs whose names are
  already compatible), which is the population the model has to separate, so the coauthor/org
  weights are not inflated by comparing against random strangers. Without labelled fragments
  (tiny stores) the hand-set priors below are used.
- Incompatible names ('other': 'Jingbo Wang' / 'Jingdong Wang') are a veto (-38 bits): pooled
  clusters of a student and an advisor share coauthors, organisations and topics, and that
  evidence must never outweigh different given names.
- Name variants (swapped, initial, fuzzy) keep hand-set weights: OpenReview names are profile
  names, so the labels almost never show one person spelled two ways and would wrongly teach
  that an initial means a different person.
- m/u are shrunk towards the hand-set priors (PRIOR_STRENGTH pseudo-pairs), so a level the labels
  rarely see (e.g. a 10-year gap: profiles only exist since 2017) keeps a sensible weight.
- Blocking keeps the comparison count near-linear: exact-name blocks (a large block is cut into
  random buckets of EXACT_BLOCK_CAP nodes, and its TOP_PER_NAME strongest nodes join every
  bucket, so every mention still meets the careers it could belong to), swapped names, and
  family name + initial together with a shared organisation or coauthor key (groups of at most
  EVIDENCE_GROUP_CAP nodes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from talentgraph.resolve.names import NAME_LEVELS, OTHER

# upper bounds of the name-ambiguity buckets (expected mentions of the name by chance); on
# OpenReview profiles 1.5% / 6% / 13% / 31% / 61% of the names in these buckets have 2+ holders
AMBIGUITY = (0.3, 1, 3, 10, 30)
YEAR_GAP = ("greatest(0, greatest(min_year_l, min_year_r) - least(max_year_l, max_year_r))")


def _name_levels() -> list[tuple[str, str | None]]:
    """The name rules of resolve/names.py rendered as SQL, the exact name split by ambiguity
    (features.py: name_amb)."""
    out: list[tuple[str, str | None]] = []
    for level in NAME_LEVELS:
        sql = level.rule.sql()
        if level.label == "exact":
            out += [(f"exact_amb{hi:g}", f"{sql} AND name_amb_l <= {hi}") for hi in AMBIGUITY]
            out.append(("exact_amb_more", sql))
        else:
            out.append((level.label, sql))
    return [*out, (OTHER, None)]


# (comparison, [(level label, sql or None for the null/else level)]): the level order matters,
# the first true level wins. Labels double as the evidence names shown to users.
LEVELS: dict[str, list[tuple[str, str | None]]] = {
    "name": _name_levels(),
    "coauthors": [
        ("null", "coauthor_keys_l IS NULL OR coauthor_keys_r IS NULL"),
        ("3+", "len(list_intersect(coauthor_keys_l, coauthor_keys_r)) >= 3"),
        ("2", "len(list_intersect(coauthor_keys_l, coauthor_keys_r)) >= 2"),
        ("1", "len(list_intersect(coauthor_keys_l, coauthor_keys_r)) >= 1"),
        ("none", None),
    ],
    "orgs": [
        ("null", "org_keys_l IS NULL OR org_keys_r IS NULL"),
        ("2+", "len(list_intersect(org_keys_l, org_keys_r)) >= 2"),
        ("1", "len(list_intersect(org_keys_l, org_keys_r)) >= 1"),
        ("none", None),
    ],
    "topic": [
        ("null", "terms_l IS NULL OR terms_r IS NULL"),
        ("5+", "len(list_intersect(terms_l, terms_r)) >= 5"),
        ("3+", "len(list_intersect(terms_l, terms_r)) >= 3"),
        ("1+", "len(list_intersect(terms_l, terms_r)) >= 1"),
        ("none", None),
    ],
    "years": [
        ("null", "min_year_l IS NULL OR min_year_r IS NULL"),
        ("0-1", f"{YEAR_GAP} <= 1"),
        ("2-3", f"{YEAR_GAP} <= 3"),
        ("4-7", f"{YEAR_GAP} <= 7"),
        ("8+", None),
    ],
}

# Hand-set (m, u) per non-null level, used when the store has no labelled fragments and as the
# shrinkage target of the learned ones; close to what the full corpus' labels give (2026-11).
PRIORS: dict[str, list[tuple[float, float]]] = {
    "name": [(0.002, 0.05), (0.55, 0.01), (0.12, 0.02), (0.09, 0.04), (0.08, 0.08),
             (0.06, 0.12), (0.03, 0.15), (0.01, 0.05), (0.05, 0.05), (0.01, 0.05),
             (1e-12, 0.4)],
    "coauthors": [(0.17, 0.008), (0.15, 0.012), (0.26, 0.065), (0.42, 0.915)],
    "orgs": [(0.30, 0.016), (0.35, 0.046), (0.35, 0.938)],
    "topic": [(0.05, 0.0018), (0.10, 0.0046), (0.35, 0.054), (0.50, 0.94)],
    "years": [(0.45, 0.55), (0.35, 0.28), (0.17, 0.15), (0.03, 0.14)],
}
PRIOR_MATCH = 0.25  # P(match) for a blocked pair when nothing was learned
PRIOR_STRENGTH = 50.0  # pseudo-pairs of the priors mixed into the learned frequencies
HAND_SET = {("name", "swapped"), ("name", "initial"), ("name", "fuzzy"), ("name", "other")}


@dataclass
class Params:
    """Learned or prior model parameters, and where they came from."""

    levels: dict[str, list[tuple[float, float]]] = field(default_factory=lambda: dict(PRIORS))
    prior: float = PRIOR_MATCH
    source: str = "priors"
    pairs: int = 0
    matches: int = 0


def _comparison(name: str, params: Params, port: Callable[[str], str] = str
                ) -> cl.CustomComparison:
    """`port`: the level SQL (DuckDB's) as the linker's engine reads it."""
    levels = []
    mu = iter(params.levels[name])
    for label, sql in LEVELS[name]:
        if label == "null":
            levels.append(cll.CustomLevel(port(sql), label_for_charts=label).configure(
                is_null_level=True))
            continue
        m, u = next(mu)
        level = cll.ElseLevel() if sql is None else cll.CustomLevel(port(sql),
                                                                     label_for_charts=label)
        levels.append(level.configure(m_probability=m, u_probability=u))
    return cl.CustomComparison(comparison_levels=levels, output_column_name=name,
                               comparison_description=name)


def blocking_rules() -> list:
    return [
        block_on("fl_keys", arrays_to_explode=["fl_keys"]),
        "l.first_last = r.lf_block",
        block_on("evidence_keys", arrays_to_explode=["evidence_keys"]),
    ]


def settings(params: Params, training: bool = False, port: Callable[[str], str] = str
             ) -> SettingsCreator:
    """Scoring keeps the per-comparison match weights (mw_*: the evidence); training also keeps
    the level of every comparison (gamma_*), which Splink only emits with the matching columns."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=params.prior,
        comparisons=[_comparison(n, params, port) for n in LEVELS],
        blocking_rules_to_generate_predictions=blocking_rules(),
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=training,
        additional_columns_to_retain=[],
    )


def _linker(con: duckdb.DuckDBPyConnection, table: str, params: Params,
            training: bool = False) -> Linker:
    spark = getattr(con, "spark", None)
    if spark is not None:
        # the build on Spark (engines/spark.py): Splink's Spark backend, in the same session,
        # the level SQL carried to Spark SQL like the stages' own
        from splink.backends.spark import SparkAPI

        api = SparkAPI(spark_session=spark, break_lineage_method="persist")
        sdf = api.register(con.table(table))
        return Linker(sdf, settings(params, training, con.port_expression),
                      log_level="WARNING")
    api = DuckDBAPI(connection=con)
    sdf = api.register(table)
    return Linker(sdf, settings(params, training), log_level="WARNING")


def score_pairs(con: duckdb.DuckDBPyConnection, nodes: str, params: Params, out: str,
                min_probability: float = 0.01) -> int:
    """Score every blocked pair of `nodes` into `out`(unique_id_l, unique_id_r, match_probability,
    match_weight, mw_<comparison>...: the log2 Bayes factor each piece of evidence gave)."""
    linker = _linker(con, nodes, params)
    pred = linker.inference.predict(threshold_match_probability=min_probability,
                                    warning_mode="never")
    mws = ", ".join(f"mw_{c}" for c in LEVELS)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {out} AS SELECT unique_id_l, unique_id_r, "
                f"match_probability, match_weight, {mws} FROM {pred.physical_name}")
    pred.drop_table_from_database_and_remove_from_cache()
    drop_splink_tables(con)
    return con.execute(f"SELECT count(*) FROM {out}").fetchone()[0]


def drop_splink_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Splink materialises its intermediate tables in the store: never leave them behind."""
    for (name,) in con.execute("SELECT table_name FROM information_schema.tables "
                               "WHERE table_name LIKE '__splink__%'").fetchall():
        con.execute(f'DROP TABLE IF EXISTS "{name}"')


def learn(con: duckdb.DuckDBPyConnection, fragments: str,
          prior_strength: float = PRIOR_STRENGTH) -> Params:
    """m/u per level from labelled fragment pairs (column `label`) inside the blocks."""
    has = con.execute(f"SELECT count(DISTINCT label), count(*) FROM {fragments}").fetchone()
    if not has or has[1] < 50:
        return Params()
    linker = _linker(con, fragments, Params(), training=True)
    pred = linker.inference.predict(warning_mode="never")
    name = pred.physical_name
    gammas = ", ".join(f"gamma_{c}" for c in LEVELS)
    _check_gammas(con, name)
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE pp_train_pairs AS
    SELECT {gammas}, (l.label = r.label) AS is_match
      FROM {name} p
      JOIN {fragments} l ON l.unique_id = p.unique_id_l
      JOIN {fragments} r ON r.unique_id = p.unique_id_r
    """)
    pred.drop_table_from_database_and_remove_from_cache()
    drop_splink_tables(con)
    pairs, matches = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE is_match) FROM pp_train_pairs").fetchone()
    if not matches or matches == pairs:
        return Params()
    levels: dict[str, list[tuple[float, float]]] = {}
    for comp, spec in LEVELS.items():
        n_levels = len(spec) - 1  # gamma values 0..n-1 for non-null levels, -1 null
        # evidence other than the name is measured on pairs whose names are compatible: pairs
        # with different given names are only compared because blocking found a shared
        # coauthor/org key, and counting them would make a shared key look like a non-match
        where = "" if comp == "name" else f"AND gamma_name >= {_gamma_of('name', 'initial')}"
        rows = dict((g, (mm, uu)) for g, mm, uu in con.execute(f"""
            SELECT gamma_{comp}, count(*) FILTER (WHERE is_match),
                   count(*) FILTER (WHERE NOT is_match)
              FROM pp_train_pairs WHERE gamma_{comp} >= 0 {where} GROUP BY 1""").fetchall())
        tot_m = sum(v[0] for v in rows.values())
        tot_u = sum(v[1] for v in rows.values())
        labels = [lab for lab, _ in spec if lab != "null"]
        # gamma counts down: the first non-null level in LEVELS has the highest gamma
        per_level = []
        for i, label in enumerate(labels):
            pm, pu = PRIORS[comp][i]
            if (comp, label) in HAND_SET:
                per_level.append((pm, pu))
                continue
            mm, uu = rows.get(n_levels - 1 - i, (0, 0))
            per_level.append(((mm + prior_strength * pm) / (tot_m + prior_strength),
                              (uu + prior_strength * pu) / (tot_u + prior_strength)))
        levels[comp] = per_level
    return Params(levels=levels, prior=matches / pairs, source="labelled fragments",
                  pairs=pairs, matches=matches)


def _gamma_of(comp: str, label: str) -> int:
    """Splink's gamma value of a level: the first non-null level has the highest."""
    labels = [lab for lab, _ in LEVELS[comp] if lab != "null"]
    return len(labels) - 1 - labels.index(label)


def _check_gammas(con: duckdb.DuckDBPyConnection, table: str) -> None:
    cols = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
    missing = [c for c in LEVELS if f"gamma_{c}" not in cols]
    if missing:
        raise RuntimeError(f"Splink output lacks gamma columns {missing}")


def weights(params: Params) -> dict[str, list[tuple[str, float]]]:
    """log2 Bayes factor of every level: what each piece of evidence is worth."""
    out = {}
    for comp, spec in LEVELS.items():
        labels = [lab for lab, _ in spec if lab != "null"]
        out[comp] = [(lab, round(math.log2(m / u), 2))
                     for lab, (m, u) in zip(labels, params.levels[comp], strict=True)]
    return out

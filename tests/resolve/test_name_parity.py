"""The name rules read the same in Python (`names.compatibility`) and in SQL (the Splink
comparison levels of the people stage), on generated pairs of names.

The SQL side is what the pipeline runs: raw names parsed by `features.build_names` into
pp_names, and the CASE of model.LEVELS["name"] evaluated in DuckDB, as Splink does.
"""

from __future__ import annotations

import duckdb
from hypothesis import example, given, settings
from hypothesis import strategies as st

from talentgraph.resolve.names import compatibility, parse
from talentgraph.resolve.people.features import build_names
from talentgraph.resolve.people.model import LEVELS

# Small pools so that generated pairs often share parts: the interesting cases are near misses.
GIVEN = ["John", "Jon", "Jonathan", "Jonathon", "Jingdong", "Jingbo", "Wei", "Wang", "Ann",
         "Jun-Yan", "Junyan", "Jürgen", "Michael", "Michaela", "Yang", "Yi", "Ab", "Ba"]
FAMILY = ["Smith", "Wang", "Wei", "Zhu", "Liu", "Madonna", "van der Maaten", "O'Neil",
          "Schmidhuber", "Li", "Jordan", "Le"]
MIDDLE = ["", "K.", "L.", "K. L.", "I.", "Kai", "J.-Y."]
PREFIX = ["", "", "", "Dr. ", "Prof. "]
SUFFIX = ["", "", "", " Jr.", " III", " (NYU)"]


FORMS = ["full", "full", "initial", "mononym", "comma", "upper", "swapped", "empty"]


def _typo(given: str) -> str:
    """One adjacent transposition inside a long given name ('Jonathan' -> 'Jonahtan')."""
    return given[:3] + given[4] + given[3] + given[5:] if len(given) >= 6 else given


def render(given: str, middle: str, family: str, form: str, prefix: str, suffix: str) -> str:
    """One way of writing a name, as author lists do."""
    if form == "empty":
        return suffix.strip() if suffix.startswith(" (") else ""
    if form == "mononym":
        return family
    if form == "initial":
        given = given[0] + "."
    if form == "comma":
        return f"{family}, {given} {middle}".strip()
    if form == "swapped":
        return f"{family} {given}"
    text = " ".join(p for p in (given, middle, family) if p)
    return prefix + (text.upper() if form == "upper" else text) + suffix


@st.composite
def raw_name(draw: st.DrawFn, given: str, middle: str, family: str) -> str:
    if draw(st.booleans()):
        given = _typo(given)
    return render(given, middle, family, draw(st.sampled_from(FORMS)),
                  draw(st.sampled_from(PREFIX)), draw(st.sampled_from(SUFFIX)))


@st.composite
def name_pair(draw: st.DrawFn) -> tuple[str, str]:
    """Two spellings, of one name more often than not: the near misses are what matters."""
    parts = st.tuples(st.sampled_from(GIVEN), st.sampled_from(MIDDLE), st.sampled_from(FAMILY))
    g, m, f = draw(parts)
    a = draw(raw_name(g, m, f))
    g2, m2, f2 = draw(parts)
    keep = draw(st.sampled_from(["all", "all", "given_family", "family", "none"]))
    if keep == "all":
        g2, m2, f2 = g, m, f
    elif keep == "given_family":
        g2, f2 = g, f
    elif keep == "family":
        f2 = f
    return a, draw(raw_name(g2, m2, f2))


def sql_levels(pairs: list[tuple[str, str]]) -> list[str]:
    """The level the pipeline's SQL gives each pair ('exact_amb*' read as 'exact')."""
    con = duckdb.connect()
    con.execute("CREATE TABLE pairs (i INTEGER, a VARCHAR, b VARCHAR)")
    con.executemany("INSERT INTO pairs VALUES (?, ?, ?)",
                    [(i, a, b) for i, (a, b) in enumerate(pairs)])
    con.execute("CREATE TABLE mentions AS SELECT a AS raw_name FROM pairs UNION "
                "SELECT b FROM pairs")
    build_names(con)
    cols = [r[0] for r in con.execute("DESCRIBE pp_names").fetchall() if r[0] != "raw_name"]
    sides = ", ".join([f"l.{c} AS {c}_l" for c in cols] + [f"r.{c} AS {c}_r" for c in cols])
    case = " ".join(f"WHEN {sql} THEN '{label}'" for label, sql in LEVELS["name"] if sql)
    rows = con.execute(f"""
        WITH x AS (SELECT p.i, {sides}, 1.0 AS name_amb_l, 1.0 AS name_amb_r FROM pairs p
                   JOIN pp_names l ON l.raw_name = p.a JOIN pp_names r ON r.raw_name = p.b)
        SELECT i, CASE {case} ELSE 'other' END FROM x ORDER BY i""").fetchall()
    con.close()
    assert [i for i, _ in rows] == list(range(len(pairs)))
    return ["exact" if lv.startswith("exact_amb") else lv for _, lv in rows]


def python_level(a: str, b: str) -> str:
    pa_, pb = parse(a), parse(b)
    if pa_.empty or pb.empty:
        return "null"
    return compatibility(pa_, pb) or "other"


@settings(max_examples=60, deadline=None)
@given(st.lists(name_pair(), min_size=1, max_size=40))
@example([("Madonna", "Ann Madonna")])                 # a single word only tells the family
@example([("J. K. Smith", "John L. Smith")])           # initials whose middles disagree
@example([("Wang Wei", "Wei Wang"), ("Jonathon Smith", "Jonathan Smith")])
def test_python_and_sql_name_levels_agree(pairs: list[tuple[str, str]]) -> None:
    assert sql_levels(pairs) == [python_level(a, b) for a, b in pairs], pairs


def test_the_generator_reaches_every_level() -> None:
    """The parity test means something only if the pairs exercise every level."""
    seen: set[str] = set()

    # derandomized: the same 300 pairs every run, so this check cannot pass or fail by luck
    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    @given(name_pair())
    def collect(pair: tuple[str, str]) -> None:
        seen.add(python_level(*pair))

    collect()
    assert seen >= {"null", "exact", "middle_conflict", "swapped", "initial", "fuzzy", "other"}

"""Hosts of generated organisations (resolve.orgs.hosts) and the stage that writes them."""

from __future__ import annotations

from collections import Counter

import duckdb
import pytest

from corpus_helpers import openreview_record, write_corpus_file
from talentgraph import pipeline
from talentgraph.resolve.orgs.hosts import (
    Host,
    HostVotes,
    OrgFacts,
    add_named,
    choose_hosts,
    named_units,
    without_cycles,
)

UNI = OrgFacts("university", False, 40)


def _facts(**orgs: OrgFacts) -> dict[str, OrgFacts]:
    return {"quux-university": UNI, **{k.replace("_", "-"): v for k, v in orgs.items()}}


def test_a_unit_writing_its_university_domain_is_hosted_by_it() -> None:
    votes = HostVotes.empty()
    votes.domain["widget-department"] = Counter({"quux-university": 4})
    got = choose_hosts(votes, _facts(widget_department=OrgFacts("unknown", False, 4)))
    assert got == {"widget-department": Host("widget-department", "quux-university", "domain",
                                             4, 1.0)}


@pytest.mark.parametrize(("votes", "facts"), [
    # A shared domain (a university system): no host takes MIN_DOMAIN_SHARE.
    (Counter({"quux-university": 6, "other-university": 4}), OrgFacts("university", False, 10)),
    # A few collaborators' addresses on a large organisation.
    (Counter({"quux-university": 4}), OrgFacts("university", False, 190)),
    # Two addresses on an organisation of ten mentions.
    (Counter({"quux-university": 2}), OrgFacts("institute", False, 10)),
    # A company: a founder writing a university address.
    (Counter({"quux-university": 9}), OrgFacts("company", False, 9)),
    # A curated organisation: the curated tables say how it relates.
    (Counter({"quux-university": 9}), OrgFacts("institute", True, 9)),
])
def test_domain_guards(votes: Counter[str], facts: OrgFacts) -> None:
    hv = HostVotes.empty()
    hv.domain["g"] = votes
    assert choose_hosts(hv, _facts(g=facts, other_university=UNI)) == {}


def test_named_units_are_the_non_institution_segments() -> None:
    part = "Quux University, Centre for Gadgets (CFG), Widget Laboratory, Springfield"
    assert named_units("quux-university", part) == ["center-for-gadgets", "widget-laboratory"]
    assert named_units("quux-university", "Quux University, Zed University") == []


def test_a_unit_written_with_its_host_is_hosted_by_it() -> None:
    votes = HostVotes.empty()
    add_named(votes, "Quux University, Centre for Gadgets + Zed Labs Inc.",
              ["quux-university", "zed-labs"], 3)
    assert votes.named == {"center-for-gadgets": Counter({"quux-university": 3})}
    got = choose_hosts(votes, _facts(center_for_gadgets=OrgFacts("institute", False, 2)))
    assert got["center-for-gadgets"].evidence == "named"
    # A large organisation written once inside another's affiliation is not its unit.
    assert choose_hosts(votes, _facts(center_for_gadgets=OrgFacts("institute", False, 30))) == {}


def test_an_institute_listed_beside_a_university_is_hosted_by_it() -> None:
    votes = HostVotes.empty()
    votes.colisted["zed-institute"] = Counter({"quux-university": 5, "far-university": 1})
    votes.colisted_authors[("zed-institute", "quux-university")] = 9
    facts = _facts(zed_institute=OrgFacts("institute", False, 7), far_university=UNI)
    assert choose_hosts(votes, facts)["zed-institute"].host_id == "quux-university"
    # One author only, or too few of its mentions, or not an institute: no host.
    votes.colisted_authors[("zed-institute", "quux-university")] = 1
    assert choose_hosts(votes, facts) == {}
    votes.colisted_authors[("zed-institute", "quux-university")] = 9
    assert choose_hosts(votes, _facts(zed_institute=OrgFacts("institute", False, 20),
                                      far_university=UNI)) == {}
    assert choose_hosts(votes, _facts(zed_institute=OrgFacts("unknown", False, 7),
                                      far_university=UNI)) == {}


def test_hosts_never_make_a_cycle() -> None:
    hosts = {"a": Host("a", "b", "named", 5, 1.0), "b": Host("b", "a", "named", 3, 1.0),
             "c": Host("c", "curated-child", "domain", 2, 1.0)}
    kept = without_cycles(hosts, {"curated-child": "curated-parent", "curated-parent": None})
    assert set(kept) == {"a", "c"}


# ------------------------------------------------------------------ the build stage


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    corpus = tmp_path_factory.mktemp("corpus")
    uni = "Quux State University"
    authors = [f"{a} {b}" for a, b in zip(("Wu", "Ya", "Be", "Ce", "Di", "Fe", "Go", "Hu"),
                                          ("Xi", "Zo", "Ka", "La", "Mi", "Ni", "Po", "Qu"),
                                          strict=True)]
    write_corpus_file(corpus, "iclr2022.json.gz", [
        # qu.edu is learned for the university (6 of its 9 mentions name it)...
        openreview_record("u1", ["Al Bo", "Cy Do", "Ed Fu"], [uni] * 3, ["qu.edu"] * 3),
        openreview_record("u2", ["Gi Ha", "Io Ju", "Ka Lu"], [uni] * 3, ["qu.edu"] * 3),
        # ...and a department writing it is a unit of the university.
        openreview_record("d1", ["Mo Nu", "Ol Pe", "Qi Ra"], ["Widget Engineering Laboratory"] * 3,
                ["qu.edu"] * 3),
        # A centre written with its host in one affiliation, and alone elsewhere.
        openreview_record("n1", ["Sa Ti", "Ul Va"], [f"Centre for Gadgets, {uni}"] * 2, ["", ""]),
        openreview_record("n2", ["Sa Ti"], ["Centre for Gadgets"], [""]),
        # An institute its eight authors list beside the university.
        openreview_record("c1", authors, [f"{uni} + Zed Institute for Data"] * 8, [""] * 8),
        openreview_record("c2", ["Wu Xi"], ["Zed Institute for Data"], [""]),
        # A start-up beside the university: no host.
        openreview_record("s1", ["De Ef", "Gh Ij", "Kl Mn"], [f"{uni} + Blip AI Inc."] * 3,
                          ["", "", ""]),
    ])
    db_path = tmp_path_factory.mktemp("store") / "store.duckdb"
    report = pipeline.build(db_path, [corpus], stages=["orgs"])
    assert report.stages["orgs"]["hosted_orgs"] == {"domain": 1, "named": 1, "colisted": 1}
    con = duckdb.connect(str(db_path), read_only=True)
    yield con
    con.close()


def test_stage_writes_hosts_as_parents(built: duckdb.DuckDBPyConnection) -> None:
    rows = dict((r[0], r[1:]) for r in built.execute(
        "SELECT org_id, parent_id, top_parent_id FROM orgs").fetchall())
    uni = "quux-state-university"
    assert rows["widget-engineering-laboratory"] == (uni, uni)
    assert rows["center-for-gadgets"] == (uni, uni)
    assert rows["zed-institute-for-data"] == (uni, uni)
    assert rows[uni] == (None, uni)
    assert rows["blip-ai"] == (None, "blip-ai")


def test_a_unit_named_of_its_host_is_hosted_by_it() -> None:
    facts = _facts(widget_laboratory_of_quux_university=OrgFacts("institute", False, 1),
                   institute_of_widget_science=OrgFacts("institute", False, 1),
                   widget_science=OrgFacts("institute", False, 9),
                   gadget_group_at_springfield=OrgFacts("unknown", False, 1),
                   springfield=OrgFacts("unknown", False, 9))
    got = choose_hosts(HostVotes.empty(), facts)
    assert got == {"widget-laboratory-of-quux-university": Host(
        "widget-laboratory-of-quux-university", "quux-university", "name", 1, 1.0)}

"""Names of curated organisations the resolver reads through function words and doubled names."""

from __future__ import annotations

import pytest

from talentgraph.resolve.orgs import OrgResolver, catalog
from talentgraph.resolve.orgs.text import content


@pytest.fixture(scope="module")
def resolver() -> OrgResolver:
    return OrgResolver(catalog.default())


@pytest.mark.parametrize(("raw", "expected"), [
    # An acronym and the full name of one organisation, run together.
    ("Dept. of Widgets, ETH Swiss Federal Institute of Technology Zurich, Switzerland",
     "eth-zurich"),
    ("KAIST Korea Advanced Institute of Science and Technology", "kaist"),
    # "of" for "for", a hyphen: the same content words.
    ("Max-Planck Institute of Intelligent Systems", "mpi-is"),
])
def test_other_spellings_of_curated_names(resolver: OrgResolver, raw: str,
                                          expected: str) -> None:
    assert resolver.resolve(raw)[0].org_id == expected


def test_content_keys_keep_word_order() -> None:
    assert content("university of tokyo") == "university tokyo"
    assert content("tokyo university of science") == "tokyo university science"
    assert catalog.default().lookup("university tokyo science") is None


def test_two_names_of_two_organisations_are_not_one(resolver: OrgResolver) -> None:
    # Names of two different curated organisations run together: neither is read as doubled.
    assert all(m.method != "curated_double" for m in resolver.resolve("MIT Stanford University"))


@pytest.mark.parametrize("raw", ["Ltd", "Research Center", "Research", "Laboratory",
                                 "State Key Laboratory", "Co., Ltd."])
def test_a_generic_fragment_is_no_organisation(resolver: OrgResolver, raw: str) -> None:
    # What kind of place, never which one: it must not become an organisation of its own (a
    # person 'moved' from the University of Michigan to 'Research').
    assert resolver.resolve(raw) == []


def test_a_generic_fragment_leaves_the_named_organisation(resolver: OrgResolver) -> None:
    # The other side of the rule: only the fragment goes, the organisation named beside it stays.
    found = [m.org_id for m in resolver.resolve("Research Center, Widgetron Robotics Inc.")]
    assert found == ["widgetron-robotics"]


@pytest.mark.parametrize(("raw", "expected"), [
    # Italy's graduate universities host institutes named first in the affiliation.
    ("BioRobotics Institute, Scuola Superiore Sant'Anna, Pisa, Italy",
     "scuola-superiore-santanna"),
    ("SISSA - Scuola Internazionale Superiore di Studi Avanzati, Trieste",
     "scuola-internazionale-superiore-di-studi-avanzati"),
    # A plain "scuola" / "escola" is a school of the university named beside it.
    ("Scuola di Ingegneria, Universita di Pisa", "university-of-pisa"),
    ("Escola Politecnica, Universidade de Sao Paulo", "university-of-sao-paulo"),
])
def test_graduate_schools_and_school_units(resolver: OrgResolver, raw: str,
                                           expected: str) -> None:
    assert resolver.resolve(raw)[0].org_id == expected


def test_an_address_overrules_a_normalised_name_the_text_does_not_give(
        resolver: OrgResolver) -> None:
    """A bare department whose corpus-normalised name is one university and whose address is
    another's: the address names the organisation (the normalised name is the corpus' guess).
    Where the text names an organisation, or the address is a public mail service, the name
    stands."""
    dept = "Department of Computer Science and Engineering"
    got = resolver.resolve(dept, aff_norm="University of California, San Diego",
                           email_domain="cs.umn.edu")
    assert [m.org_id for m in got] == ["university-of-minnesota"]
    named = resolver.resolve(f"{dept}, University of California, San Diego",
                             aff_norm="University of California, San Diego",
                             email_domain="cs.umn.edu")
    assert named[0].org_id == "university-of-california-san-diego"
    public = resolver.resolve(dept, aff_norm="University of California, San Diego",
                              email_domain="gmail.com")
    assert public[0].org_id == "university-of-california-san-diego"

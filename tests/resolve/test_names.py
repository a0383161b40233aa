"""Person-name rules: normalisation, parsing, compatibility and blocking keys."""

from __future__ import annotations

import pytest

from talentgraph.resolve.names import compatibility, compatible, normalise, parse


@pytest.mark.parametrize(("raw", "given", "middle", "family"), [
    ("Jürgen Schmidhuber", "jurgen", (), "schmidhuber"),          # diacritics
    ("Zhu, Jun-Yan", "junyan", (), "zhu"),                         # "Family, Given" + hyphen
    ("Jun-Yan Zhu Jr.", "junyan", (), "zhu"),                      # suffix dropped
    ("Dr. Yann LeCun (NYU)", "yann", (), "lecun"),                 # honorific, parenthesis
    ("Michael I. Jordan", "michael", ("i",), "jordan"),            # dotted middle initial
    ("Laurens van der Maaten", "laurens", (), "vandermaaten"),     # family particles
    ("Quoc V. Le", "quoc", ("v",), "le"),                          # 'le' alone is a family name
    ("Brendan O'Donoghue", "brendan", (), "odonoghue"),            # apostrophe
    ("ABULIKEMU ABUDUWEILI", "abulikemu", (), "abuduweili"),       # case
])
def test_parse(raw: str, given: str, middle: tuple, family: str) -> None:
    p = parse(raw)
    assert (p.given, p.middle, p.family) == (given, middle, family)


def test_initials_with_and_without_dots_parse_alike() -> None:
    for raw in ("J.-Y. Zhu", "J. Y. Zhu", "J.Y. Zhu", "J Y Zhu"):
        p = parse(raw)
        assert (p.given, p.middle, p.family, p.given_is_initial) == ("j", ("y",), "zhu", True)


def test_empty_and_blank_names_are_empty() -> None:
    for raw in ("", "   ", None, "...", "(—)"):
        assert parse(raw).empty
        assert normalise(raw) == ""
    assert not compatible("", "")
    assert not compatible("", "Wei Wang")


def test_single_word_name_is_a_family_name_compatible_only_with_that_family() -> None:
    p = parse("Madonna")
    assert (p.given, p.family, p.empty) == ("", "madonna", False)
    assert compatibility(p, parse("Ann Madonna")) == "initial"
    assert not compatible("Madonna", "Ann Smith")


@pytest.mark.parametrize(("a", "b", "level"), [
    ("Michael I. Jordan", "Michael Jordan", "exact"),          # middle present / absent
    ("Michael I. Jordan", "Michael B. Jordan", "middle_conflict"),
    ("Jun-Yan Zhu", "Junyan Zhu", "exact"),                    # hyphenated given name
    ("Jun-Yan Zhu", "Jun Yan Zhu", None),                      # split given: not matched (yet)
    ("Jürgen Schmidhuber", "Jurgen Schmidhuber", "exact"),     # diacritics
    ("Wang Wei", "Wei Wang", "swapped"),                       # CJK order
    ("J. Smith", "John Smith", "initial"),                     # initial vs full
    ("J. K. Smith", "John Smith", "initial"),
    ("J. K. Smith", "John L. Smith", None),                    # initials disagree on middle
    ("A. Smith", "John Smith", None),                          # different initial
    ("Jonathon Smith", "Jonathan Smith", "fuzzy"),             # near-identical given names
    ("Yang Liu", "Yi Liu", None),                              # different given names
    ("Yang Liu", "Yang Li", None),                             # different family names
])
def test_compatibility_levels(a: str, b: str, level: str | None) -> None:
    assert compatibility(parse(a), parse(b)) == level
    assert compatibility(parse(b), parse(a)) == level  # symmetric


def test_block_key_groups_every_compatible_spelling_but_swaps() -> None:
    spellings = ["John Smith", "J. Smith", "John K. Smith", "Jonathon Smith", "SMITH, John"]
    assert {parse(s).block_key for s in spellings} == {"smith|j"}
    a, b = parse("Wang Wei"), parse("Wei Wang")
    assert a.block_key != b.block_key and a.first_last == b.last_first  # swap block instead


def test_many_authors_parse_independently() -> None:
    givens = ["Ann", "Bo", "Cy", "Di", "Ed", "Fa", "Gil", "Hu", "Ida", "Jo", "Ki", "Lu", "Mo",
              "Ny", "Olu", "Pa", "Qi", "Ra", "Su", "Tor"]
    families = ["Lee", "Chen", "Diaz", "Wu", "Fox", "Gu", "Ho", "Kim", "Ma", "Ng"]
    names = [f"{g} {f}" for g in givens for f in families]
    assert len(names) == 200
    parsed = [parse(n) for n in names]
    assert len({p.first_last for p in parsed}) == 200
    assert not any(compatible(names[0], n) for n in names[1:])

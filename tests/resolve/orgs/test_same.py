"""Spelling variants of one organisation under two generated ids (resolve.orgs.same)."""

from __future__ import annotations

import pytest

from talentgraph.resolve.orgs.same import same_organisation


@pytest.mark.parametrize(("a", "b"), [
    ("Technische Universität Braunschweig", "Braunschweig Technical University"),
    ("Universidade de Brasília", "University of Brasília-UnB"),
    ("Universidad de Sevilla", "University of Seville"),
    ("German Aerospace Center (DLR)", "DLR-German Aerospace Center"),
    ("Beijing University of Post and Telecommunication",
     "Beijing University of Posts and Telecommunications"),
    ("Australian Institute of Marine Science", "The Australian Institute of Marine Science PMB3"),
    ("Poznan University of Technology", "Technical University of Poznan"),
    ("Yahoo! Research", "Yahoo Labs"),  # one company's lab under two generic words
    ("University of Genova", "University of Genoa"),  # a city under its two names
    ("Technische Universität Dresden", "TU Dresden"),  # an acronym of the words it replaces
    ("Shanghai Jiao Tong University", "Shanghai Jiaotong University"),  # words run together
    ("Kyoto Kagaku Company Limited", "Kyotokagaku Company Limited"),
    ("Kyoto Kagaku Company Limited", "KOTOKAGAKU co., LTD"),  # run together, one letter lost
])
def test_variants_of_one_organisation(a, b):
    assert same_organisation(a, b) and same_organisation(b, a)


@pytest.mark.parametrize(("a", "b"), [
    ("City University of Hong Kong", "University of Hong Kong"),
    ("Hunan University", "Henan University"),
    ("Shanxi University", "Shaanxi University"),
    ("Northwestern University", "Northeastern University"),
    ("Université Lyon 1", "Université Lyon 2"),
    ("University of California", "University of California, Berkeley"),
    ("University of Tokyo", "Tokyo University of Science"),
    ("Indian Institute of Technology Delhi", "Indian Institute of Technology Bombay"),
    ("Institute of Automation, Chinese Academy of Sciences", "Chinese Academy of Sciences"),
    ("TU Munich", "Technical University of Berlin"),  # the acronym fits, the name does not
    ("Nanyang Technological University", "Nanyang Polytechnic"),  # one name, two kinds
    ("Hangzhou Dianzi University", "Yangzhou University"),
])
def test_different_organisations(a, b):
    assert not same_organisation(a, b)

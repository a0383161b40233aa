"""Strong ids: which ones are trusted to link mentions, and the components they form."""

from __future__ import annotations

import duckdb

from talentgraph.resolve.people import strong_ids

COLUMNS = ("mkey", "raw_name", "first_last", "openreview_id", "orcid", "dblp",
           "google_scholar", "email", "ieee_id", "acl_id")


def _mentions(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    cols = ", ".join(f"{c} VARCHAR" for c in COLUMNS)
    con.execute(f"CREATE TEMP TABLE pp_mentions ({cols})")
    con.executemany(f"INSERT INTO pp_mentions VALUES ({', '.join('?' for _ in COLUMNS)})", rows)
    return con


def _comp(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    strong_ids.build_id_edges(con)
    strong_ids.build_components(con)
    return dict(con.execute("SELECT mkey, comp FROM pp_comp").fetchall())


def test_ids_chain_mentions_of_one_person() -> None:
    con = _mentions([
        ("a", "Ann Lee", "ann lee", "~Ann_Lee1", None, "11/22", None, None, None, None),
        ("b", "Ann Lee", "ann lee", None, None, "11/22", None, "ann@x.org", None, None),
        ("c", "Ann Lee", "ann lee", None, None, None, None, "ann@x.org", None, None),
        ("d", "Bo Chen", "bo chen", None, None, None, None, None, "37001", None),
    ])
    comp = _comp(con)
    assert comp["a"] == comp["b"] == comp["c"]  # OpenReview -> DBLP -> e-mail
    assert comp["d"] != comp["a"]


def test_an_id_seen_with_two_profiles_links_nothing() -> None:
    con = _mentions([
        ("a", "Yang Liu", "yang liu", "~Yang_Liu1", None, "99/1", None, None, None, None),
        ("b", "Yang Liu", "yang liu", "~Yang_Liu2", None, "99/1", None, None, None, None),
    ])
    comp = _comp(con)
    assert comp["a"] != comp["b"]
    assert con.execute("SELECT count(*) FROM pp_idedges WHERE kind = 'dblp'").fetchone()[0] == 0


def test_plain_acl_slug_of_an_ambiguous_name_is_not_trusted() -> None:
    rows = [("x1", "Wei Wang", "wei wang", None, None, None, None, None, None, "w/wei-wang"),
            ("x2", "Wei Wang", "wei wang", None, None, None, None, None, None, "w/wei-wang"),
            # the Anthology disambiguated another Wei Wang: the plain slug is ambiguous
            ("x3", "Wei Wang", "wei wang", None, None, None, None, None, None,
             "w/wei-wang-ucla"),
            ("x4", "Wei Wang", "wei wang", None, None, None, None, None, None,
             "w/wei-wang-ucla"),
            ("y1", "Ola Nordmann", "ola nordmann", None, None, None, None, None, None,
             "o/ola-nordmann"),
            ("y2", "Ola Nordmann", "ola nordmann", None, None, None, None, None, None,
             "o/ola-nordmann")]
    comp = _comp(_mentions(rows))
    assert "x1" not in comp and "x2" not in comp     # left to the model
    assert comp["x3"] == comp["x4"]                  # suffixed slug: one person
    assert comp["y1"] == comp["y2"]                  # plain slug of a rare name: trusted


def test_an_email_the_record_put_at_another_author_links_nothing() -> None:
    """A record that swapped two authors' e-mails must not make one person of the two."""
    rows = [("p1#0", "Sergey Levine", "sergey levine", None, None, None, None,
             "yoshua.bengio@mila.quebec", None, None),
            ("p1#1", "Yoshua Bengio", "yoshua bengio", None, None, None, None,
             "svlevine@berkeley.edu", None, None),
            ("p2#0", "Sergey Levine", "sergey levine", None, None, None, None,
             "svlevine@berkeley.edu", None, None),
            # an e-mail that names neither author is kept: many are nicknames or numbers
            ("p1#2", "Ann Lee", "ann lee", None, None, None, None, "ax9@x.org", None, None),
            ("p3#0", "Ann Lee", "ann lee", None, None, None, None, "ax9@x.org", None, None),
            # two coauthors of one family name: each e-mail still names its own author
            ("p4#0", "Wei Zhang", "wei zhang", None, None, None, None, "zhangw@x.org", None,
             None),
            ("p4#1", "Hao Zhang", "hao zhang", None, None, None, None, "haozhang@x.org", None,
             None)]
    con = _mentions(rows)
    comp = _comp(con)
    assert "p1#1" not in comp and "p1#0" not in comp  # misplaced: left to the model
    assert comp["p1#2"] == comp["p3#0"]
    assert {"p4#0", "p4#1"} <= comp.keys()

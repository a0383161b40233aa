"""Spells and moves on hand-made careers: each test is one of the messy cases real records show."""

from __future__ import annotations


def orgs(store):
    (store.org("U", "Uni Alpha").org("V", "Uni Beta").org("G", "Google", "industry_lab")
     .org("GDM", "Google DeepMind", "industry_lab", parent="G")
     .org("META", "Meta", "industry_lab").org("FAIR", "FAIR", "industry_lab", parent="META")
     .org("OAI", "OpenAI", "industry_lab"))
    return store


def moves_of(con, person):
    return con.execute(
        "SELECT from_org_id, to_org_id, last_year_at_from, first_year_at_to, kind, confidence "
        "FROM moves WHERE person_id = ? ORDER BY first_year_at_to, kind", [person]).fetchall()


def spells_of(con, person, kind="home"):
    return con.execute(
        "SELECT org_id, start_year, end_year FROM spells WHERE person_id = ? AND kind = ? "
        "ORDER BY start_year, org_id", [person, kind]).fetchall()


def test_job_change_with_corroboration_on_both_sides(store):
    orgs(store)
    for y in (2018, 2019):
        store.paper(y, [("ann", ["FAIR"], None)])
    for y in (2021, 2022):
        store.paper(y, [("ann", ["OAI"], None)])
    con = store.build()
    assert moves_of(con, "ann") == [("FAIR", "OAI", 2019, 2021, "job_change", 1.0)]
    assert spells_of(con, "ann") == [("FAIR", 2018, 2019), ("OAI", 2021, 2022)]
    ev = con.execute("SELECT side, year FROM move_evidence ORDER BY side, year").fetchall()
    assert ev == [("from", 2018), ("from", 2019), ("to", 2021), ("to", 2022)]


def test_one_ambiguous_record_is_never_a_move(store):
    orgs(store)
    # Profile records (weak dating) at FAIR in two files, then ONE profile record at OpenAI.
    store.paper(2019, [("bob", ["FAIR"], "Researcher")], family="B", venue="iclr")
    store.paper(2020, [("bob", ["FAIR"], "Researcher")], family="B", venue="nips")
    store.paper(2022, [("bob", ["OAI"], "Researcher")], family="B", venue="icml")
    # Several mentions in ONE profile file are one snapshot, not corroboration.
    store.paper(2023, [("bob", ["OAI"], "Researcher")], family="B", venue="corl")
    store.paper(2023, [("bob", ["OAI"], "Researcher"), ("x", [], None)], family="B",
                venue="corl")
    con = store.build()
    assert moves_of(con, "bob")[0][:4] == ("FAIR", "OAI", 2020, 2022)
    # Without the second OpenAI snapshot there is no move.
    con.execute("DELETE FROM mention_person WHERE person_id = 'bob' AND paper_id LIKE 'corl%'")
    from talentgraph.careers.stage import build_careers
    build_careers(con)
    assert moves_of(con, "bob") == []


def test_one_strong_attributed_record_per_side_is_enough(store):
    orgs(store)
    store.paper(2016, [("cat", ["U"], None)])
    store.paper(2019, [("cat", ["V"], None)])
    con = store.build()
    assert [m[:5] for m in moves_of(con, "cat")] == [("U", "V", 2016, 2019, "job_change")]


def test_unattributed_multi_org_set_never_makes_a_move(store):
    orgs(store)
    store.paper(2018, [("dan", ["U"], None)])
    store.paper(2019, [("dan", ["U"], None)])
    for y in (2020, 2021, 2022):
        store.paper(y, [("dan", [], None), ("eve", [], None)], paper_orgs=["G", "OAI"])
    con = store.build()
    assert moves_of(con, "dan") == []
    weights = con.execute("SELECT DISTINCT evidence, weight FROM affiliation_obs "
                          "WHERE person_id = 'dan' ORDER BY 1").fetchall()
    assert weights == [("paper", 1.0), ("paper_set", 0.15)]


def test_dual_affiliation_is_concurrent_not_a_move(store):
    orgs(store)
    store.paper(2017, [("fay", ["U"], None)])
    store.paper(2018, [("fay", ["U"], None)])
    store.paper(2019, [("fay", ["U", "G"], None)])  # professor + lab on one mention
    store.paper(2020, [("fay", ["G"], None)])
    store.paper(2021, [("fay", ["G"], None)])
    store.paper(2021, [("fay", ["U"], None)])
    con = store.build()
    assert moves_of(con, "fay") == []
    conc = con.execute("SELECT org_id, concurrent_org_ids FROM spells WHERE person_id = 'fay' "
                       "ORDER BY org_id").fetchall()
    assert conc == [("G", ["U"]), ("U", ["G"])]


def test_internship_does_not_end_the_home_spell(store):
    orgs(store)
    for y in (2018, 2019, 2020, 2021):
        store.paper(y, [("gus", ["U"], "PhD student")], family="A", venue=f"v{y}")
    store.paper(2019, [("gus", ["G"], "Intern")], family="A", venue="w2019")
    con = store.build()
    assert spells_of(con, "gus") == [("U", 2018, 2021)]
    assert [m[:5] for m in moves_of(con, "gus")] == [("U", "G", 2019, 2019, "internship")]


def test_graduation_hire(store):
    orgs(store)
    store.paper(2017, [("hal", ["U"], "PhD student")], family="A", venue="a")
    store.paper(2018, [("hal", ["U"], "PhD student")], family="A", venue="b")
    store.paper(2020, [("hal", ["GDM"], "Research Scientist")])
    store.paper(2021, [("hal", ["GDM"], "Research Scientist")])
    con = store.build()
    assert [m[:5] for m in moves_of(con, "hal")] == [("U", "GDM", 2018, 2020,
                                                      "graduation_hire")]


def test_lag_record_after_the_move_is_not_a_return(store):
    orgs(store)
    store.paper(2017, [("ida", ["U"], None)])
    store.paper(2018, [("ida", ["U"], None)])
    store.paper(2019, [("ida", ["OAI"], None)])
    store.paper(2020, [("ida", ["OAI"], None)])
    store.paper(2020, [("ida", ["U"], None)])  # published late, old affiliation
    store.paper(2021, [("ida", ["OAI"], None)])
    con = store.build()
    assert [m[:5] for m in moves_of(con, "ida")] == [("U", "OAI", 2018, 2019, "job_change")]
    assert spells_of(con, "ida") == [("U", 2017, 2018), ("OAI", 2019, 2021)]
    lag = con.execute("SELECT count(*) FROM move_evidence WHERE side = 'lag'").fetchone()[0]
    assert lag == 1


def test_return_after_years_away(store):
    orgs(store)
    for y in (2014, 2015):
        store.paper(y, [("jo", ["U"], None)])
    for y in (2017, 2018):
        store.paper(y, [("jo", ["G"], None)])
    for y in (2020, 2021):
        store.paper(y, [("jo", ["U"], None)])
    con = store.build()
    got = [m[:5] for m in moves_of(con, "jo")]
    assert got == [("U", "G", 2015, 2017, "job_change"), ("G", "U", 2018, 2020, "return")]


def test_long_gap_lowers_confidence_but_keeps_the_window(store):
    orgs(store)
    for y in (2010, 2011):
        store.paper(y, [("kim", ["U"], None)])
    for y in (2019, 2020):
        store.paper(y, [("kim", ["V"], None)])
    con = store.build()
    (m,) = moves_of(con, "kim")
    assert m[:4] == ("U", "V", 2011, 2019) and m[5] < 1.0


def test_profile_affiliation_dated_by_alias_validity(store):
    orgs(store)
    store.alias("Google DeepMind", "GDM", "2023-04-20")
    # A 2021 paper whose profile-derived affiliation names an organisation of 2023.
    store.paper(2021, [("lee", ["GDM"], "Research Scientist", "Google DeepMind")], family="B")
    con = store.build()
    row = con.execute("SELECT year, eff_year, dating, evidence FROM affiliation_obs "
                      "WHERE person_id = 'lee'").fetchone()
    assert row == (2021, 2023, "alias_valid_from", "profile")


def test_stale_student_line_of_a_professor_profile_is_ignored(store):
    orgs(store)
    store.paper(2021, [("mo", ["U"], "Full Professor")], family="B", venue="a")
    store.paper(2022, [("mo", ["U"], "Full Professor")], family="B", venue="b")
    store.paper(2023, [("mo", ["V"], "PhD student")], family="B", venue="c")
    store.paper(2024, [("mo", ["V"], "PhD student")], family="B", venue="d")
    store.paper(2024, [("mo", ["U"], "Full Professor")], family="B", venue="d")
    con = store.build()
    assert moves_of(con, "mo") == []
    assert spells_of(con, "mo") == [("U", 2021, 2024)]


def test_person_with_no_affiliation_has_no_spells(store):
    orgs(store)
    store.paper(2020, [("nia", [], None)])
    con = store.build()
    assert spells_of(con, "nia") == [] and moves_of(con, "nia") == []
    assert store.report["persons"] == 0


def test_successor_organisation_is_not_a_move(store):
    orgs(store)
    store.org("DM", "DeepMind", "industry_lab", parent="G")
    store.con.execute("ALTER TABLE orgs ADD COLUMN successor_id VARCHAR")
    store.con.execute("UPDATE orgs SET successor_id = 'GDM' WHERE org_id = 'DM'")
    for y in (2020, 2021, 2022):
        store.paper(y, [("ora", ["DM"], None)])
    for y in (2023, 2024):
        store.paper(y, [("ora", ["GDM"], None)])
    con = store.build()
    assert moves_of(con, "ora") == []
    from talentgraph.careers.lookup import org_family
    assert org_family(con, "DM") == ["DM", "GDM"]


def test_single_profile_record_counts_when_the_role_steps_up_and_coauthors_agree(store):
    orgs(store)
    # The coauthors of pat's 2023 profile record are at OpenAI in other files too: the record's
    # author and affiliation lists line up, so it may carry one side of a move.
    for y, venue in ((2021, "a"), (2022, "b")):
        store.paper(y, [("q1", ["OAI"], "Researcher"), ("q2", ["OAI"], "Researcher")],
                    family="B", venue=venue)
    store.paper(2019, [("pat", ["U"], "PhD student")])
    store.paper(2020, [("pat", ["U"], "PhD student")])
    store.paper(2023, [("pat", ["OAI"], "Researcher"), ("q1", ["OAI"], "Researcher"),
                       ("q2", ["OAI"], "Researcher")], family="B", venue="c")
    # A professor's record on a paper whose coauthors do NOT check out is suspect: no move.
    store.paper(2019, [("rex", ["V"], "Full Professor")])
    store.paper(2020, [("rex", ["V"], "Full Professor")])
    store.paper(2023, [("rex", ["OAI"], "Researcher"), ("q1", ["U"], "Researcher"),
                       ("q2", ["V"], "Researcher")], family="B", venue="d")
    con = store.build()
    (m,) = moves_of(con, "pat")
    assert m[:5] == ("U", "OAI", 2020, 2023, "graduation_hire")
    rule = con.execute("SELECT rule FROM moves WHERE person_id = 'pat'").fetchone()[0]
    assert "1 profile record, role steps up" in rule
    assert moves_of(con, "rex") == []
    align = con.execute("SELECT alignment FROM affiliation_obs WHERE person_id = 'rex' "
                        "AND evidence = 'profile'").fetchone()[0]
    assert align == "suspect"


def test_same_rank_change_on_one_profile_record_is_not_a_move(store):
    orgs(store)
    store.paper(2019, [("sal", ["U"], "Associate Professor")])
    store.paper(2021, [("sal", ["U"], "Associate Professor")])
    store.paper(2023, [("sal", ["V"], "Assistant Professor")], family="B")
    con = store.build()
    assert moves_of(con, "sal") == []


def test_paper_listing_old_and_new_place_during_a_move_is_a_transition(store):
    orgs(store)
    for y in (2019, 2020, 2021):
        store.paper(y, [("tom", ["U"], None)])
    store.paper(2022, [("tom", ["U", "OAI"], None)])  # written while moving
    store.paper(2022, [("tom", ["OAI"], None)])
    store.paper(2023, [("tom", ["OAI"], None)])
    con = store.build()
    assert [m[:5] for m in moves_of(con, "tom")] == [("U", "OAI", 2022, 2022, "job_change")]


def test_change_between_an_org_and_its_parent_is_not_a_move(store):
    orgs(store)
    for y in (2019, 2020):
        store.paper(y, [("uma", ["G"], None)])
    for y in (2022, 2023):
        store.paper(y, [("uma", ["GDM"], None)])  # Google DeepMind sits under Google
    con = store.build()
    assert moves_of(con, "uma") == []


def test_one_record_each_side_needs_checked_records_and_one_plausible_step(store):
    orgs(store)
    for venue, y in (("a", 2019), ("b", 2020)):
        store.paper(y, [("k1", ["U"], "PhD student"), ("k2", ["U"], "PhD student")],
                    family="B", venue=venue)
        store.paper(y, [("k3", ["G"], "Researcher"), ("k4", ["G"], "Researcher")],
                    family="B", venue=venue)
    # vic: PhD student at U (coauthors check out) -> researcher at G (coauthors check out).
    store.paper(2021, [("vic", ["U"], "PhD student"), ("k1", ["U"], "PhD student"),
                       ("k2", ["U"], "PhD student")], family="B", venue="c")
    store.paper(2023, [("vic", ["G"], "Researcher"), ("k3", ["G"], "Researcher"),
                       ("k4", ["G"], "Researcher")], family="B", venue="d")
    # wes: PhD student -> FULL professor two years later: what mis-alignment looks like.
    store.paper(2021, [("wes", ["U"], "PhD student"), ("k1", ["U"], "PhD student"),
                       ("k2", ["U"], "PhD student")], family="B", venue="e")
    store.paper(2023, [("wes", ["G"], "Full Professor"), ("k3", ["G"], "Researcher"),
                       ("k4", ["G"], "Researcher")], family="B", venue="f")
    con = store.build()
    assert [m[:4] for m in moves_of(con, "vic")] == [("U", "G", 2021, 2023)]
    assert moves_of(con, "wes") == []


def test_unattributed_single_org_sets_alone_do_not_make_a_side(store):
    orgs(store)
    store.paper(2018, [("xia", ["U"], None)])
    store.paper(2019, [("xia", ["U"], None)])
    for y in (2021, 2022):  # papers naming only OpenAI, but not saying who is where
        store.paper(y, [("xia", [], None), ("yan", [], None)], paper_orgs=["OAI"])
    con = store.build()
    assert moves_of(con, "xia") == []
    store.paper(2023, [("xia", ["OAI"], "Researcher")], family="B")  # one attributed record
    from talentgraph.careers.stage import build_careers
    build_careers(con)
    assert [m[:2] for m in moves_of(con, "xia")] == [("U", "OAI")]


def test_lone_new_record_while_a_small_set_still_names_the_old_place_is_no_move(store):
    """Two papers at U, then one at Google in 2021; that year another paper of hers names only
    U and Uni Beta, with no attribution: she was still at U (a student's internship, a
    visit), no move. A set naming Google too, or only a year before, leaves the move."""
    orgs(store)
    for who, set_year, set_orgs in (("kim", 2021, ["U", "V"]), ("lou", 2021, ["U", "G"]),
                                     ("max", 2020, ["U", "V"])):
        for y in (2018, 2019):
            store.paper(y, [(who, ["U"], None)])
        store.paper(2021, [(who, ["G"], None)])
        store.paper(set_year, [(who, [], None), (f"{who}2", [], None)], paper_orgs=set_orgs)
    con = store.build()
    assert moves_of(con, "kim") == []
    assert [m[:2] for m in moves_of(con, "lou")] == [("U", "G")]
    assert [m[:2] for m in moves_of(con, "max")] == [("U", "G")]


def _weaken(store, paper_id, confidence=0.6):
    """The people stage was less than sure of this mention: the record is no longer strong."""
    store.con.execute("UPDATE mention_person SET confidence = ? WHERE paper_id = ?",
                      [confidence, paper_id])


def test_a_former_name_in_ror_is_the_same_place(store):
    """'University of Pierre and Marie Curie' (a long-tail id without ROR) then Sorbonne
    Université, whose ROR record succeeded 'Université Pierre-et-Marie-Curie': a merger renamed
    the employer, the person did not move. A place ROR does not link stays a move."""
    store.org("upmc", "University of Pierre and Marie Curie").org("su", "Sorbonne Université")
    store.org("ox", "University of Oxford")
    store.con.execute("ALTER TABLE orgs ADD COLUMN ror_id VARCHAR")
    store.con.execute("UPDATE orgs SET ror_id = '02en5vm52' WHERE org_id = 'su'")
    store.con.execute("CREATE TABLE ror_names (ror_id VARCHAR, name VARCHAR, kind VARCHAR, "
                      "lang VARCHAR)")
    store.con.execute("CREATE TABLE ror_relations (ror_id VARCHAR, rel_type VARCHAR, "
                      "other_id VARCHAR)")
    store.con.execute("INSERT INTO ror_names VALUES ('01yvrd251', 'Université Pierre-et-Marie-"
                      "Curie', 'ror_display', 'fr'), ('01yvrd251', 'Pierre and Marie Curie "
                      "University', 'label', 'en'), ('01yvrd251', 'UPMC', 'acronym', NULL), "
                      "('02en5vm52', 'Sorbonne Université', 'ror_display', 'fr')")
    store.con.execute("INSERT INTO ror_relations VALUES ('01yvrd251', 'successor', '02en5vm52')")
    for who, later in (("ada", "su"), ("ben", "ox")):
        for y in (2007, 2008):
            store.paper(y, [(who, ["upmc"], None)])
        for y in (2012, 2013):
            store.paper(y, [(who, [later], None)])
    con = store.build()
    assert moves_of(con, "ada") == []
    assert [m[:2] for m in moves_of(con, "ben")] == [("upmc", "ox")]


def test_spelling_variants_of_one_long_tail_org_are_one_place(store):
    orgs(store)
    store.org("useville", "University of Seville").org("usevilla", "Universidad de Sevilla")
    for y in (2010, 2011, 2012):
        store.paper(y, [("ana", ["useville"], None)])
    for y in (2014, 2015):
        store.paper(y, [("ana", ["usevilla"], None)])
    con = store.build()
    assert moves_of(con, "ana") == []
    assert spells_of(con, "ana") == [("useville", 2010, 2015)]


def test_one_paper_record_makes_a_side_outside_the_other_sides_years(store):
    orgs(store)
    for y in (2016, 2017):
        store.paper(y, [("bea", ["U"], None)])
    _weaken(store, store.paper(2019, [("bea", ["G"], None)]))
    con = store.build()
    (m,) = moves_of(con, "bea")
    assert m[:5] == ("U", "G", 2017, 2019, "job_change") and m[5] < 0.6
    rule = con.execute("SELECT rule FROM moves WHERE person_id = 'bea'").fetchone()[0]
    assert "1 paper record" in rule


def test_lone_paper_record_while_corroborated_elsewhere_is_no_side(store):
    orgs(store)
    for y in (2016, 2017, 2018, 2019, 2020):
        store.paper(y, [("cy", ["U"], None)])
    # One paper at V in 2017, while at U: a second affiliation, a mis-aligned record or a
    # namesake's paper; it must not become the origin of a move to OpenAI.
    _weaken(store, store.paper(2017, [("cy", ["V"], None)]))
    for y in (2022, 2023):
        store.paper(y, [("cy", ["OAI"], None)])
    con = store.build()
    assert [m[:2] for m in moves_of(con, "cy")] == [("U", "OAI")]


def test_two_careers_side_by_side_without_a_link_are_not_a_move(store):
    """A merged namesake: one person at V from 2007 to 2010 and another at U from 2007 on;
    the 'move' V -> U in 2011 shares no coauthor, id or topic with the V years."""
    orgs(store)
    store.paper(2007, [("dan", ["U"], None), ("u1", [], None)], title="Planning under risk")
    for y in (2007, 2008, 2010):
        store.paper(y, [("dan", ["V"], None), ("v1", [], None)], title=f"Visual slam {y}")
    for y in (2011, 2013, 2015):
        store.paper(y, [("dan", ["U"], None), ("u1", [], None)], title="Chance constraints")
    con = store.build()
    assert moves_of(con, "dan") == []
    assert store.report["moves_dropped_no_link"] == 1


def test_two_careers_side_by_side_with_a_shared_coauthor_are_a_move(store):
    orgs(store)
    store.paper(2007, [("eve", ["U"], None), ("u1", [], None)], title="Planning under risk")
    for y in (2007, 2008, 2010):
        store.paper(y, [("eve", ["V"], None), ("v1", [], None)], title=f"Visual slam {y}")
    for y in (2011, 2013):
        store.paper(y, [("eve", ["U"], None), ("v1", [], None)], title="Chance constraints")
    con = store.build()
    assert [m[:2] for m in moves_of(con, "eve")] == [("V", "U")]


def test_lone_paper_record_after_a_long_gap_needs_a_link(store):
    orgs(store)
    for who, co in (("fay", "g1"), ("gus", "f2")):
        for y in (2010, 2011):
            store.paper(y, [(who, ["U"], None), ("f2" if who == "gus" else "f1", [], None)],
                        title="Kernel methods")
        # Nine years later, one paper at Google: fay's shares nothing with her U years,
        # gus's has a coauthor of his U years.
        _weaken(store, store.paper(2020, [(who, ["G"], None), (co, [], None)],
                                   title="Protein folding"))
    con = store.build()
    assert moves_of(con, "fay") == []
    assert [m[:2] for m in moves_of(con, "gus")] == [("U", "G")]


def _common_names_around(store, n=60):
    """Persons enough for a name's rarity to mean something (careers.namesakes): `n` of
    distinct one-off names, and 'Wei Li' and 'Min Wang', which make 'Wei Wang' a common one."""
    store.paper(2015, [("wei_li", [], None), ("min_wang", [], None)])
    store.con.executemany(
        "INSERT INTO persons VALUES (?, ?, [], [], [], [], 1, 2015, 2015)",
        [[f"x{i}", f"Gi{_letters(i)} Fa{_letters(i)}"] for i in range(n)])


def _letters(i):
    return chr(97 + i // 26) + chr(97 + i % 26)


def test_a_rare_name_needs_no_link_after_a_long_gap(store):
    """One lone paper record nine years on, sharing nothing with the years before: under a
    name few could hold it is the same person; under a common one it may be a namesake's."""
    orgs(store)
    for who in ("zora_quill", "wei_wang"):
        for y in (2010, 2011):
            store.paper(y, [(who, ["U"], None), ("f1", [], None)], title="Kernel methods")
        _weaken(store, store.paper(2020, [(who, ["G"], None), ("g1", [], None)],
                                   title="Protein folding"))
    _common_names_around(store)
    con = store.build()
    assert [m[:2] for m in moves_of(con, "zora_quill")] == [("U", "G")]
    assert moves_of(con, "wei_wang") == []


def test_rare_names_are_those_few_could_hold(store):
    from talentgraph.careers.namesakes import rare_name_persons

    for who in ("zora_quill", "wei_wang", "z_quill"):
        store.paper(2020, [(who, ["U"], None)])
    _common_names_around(store)
    con = store.build()
    rare = rare_name_persons(con)
    assert "zora_quill" in rare and "x0" in rare
    # a common name, an initial for a given name
    assert not {"wei_wang", "z_quill"} & rare


def test_brain_merger_and_academy_schools_are_not_moves(store):
    """Google Brain was a Google Research team merged into Google DeepMind in 2023: a person
    shown as 'Google Research' then 'Google DeepMind' moved with the merger (the curated
    links, resolve/orgs/links.csv). A UCAS student is at a CAS institute at the same time."""
    store.org("google", "Google", "company")
    store.org("google-research", "Google Research", "industry_lab", parent="google")
    store.org("google-deepmind", "Google DeepMind", "industry_lab", parent="google")
    store.org("google-brain", "Google Brain", "industry_lab", parent="google")
    store.org("cas", "Chinese Academy of Sciences", "institute")
    store.org("ucas", "University of Chinese Academy of Sciences", "university", parent="cas")
    store.org("casia", "Institute of Automation, CAS", "institute", parent="cas")
    store.con.execute("ALTER TABLE orgs ADD COLUMN successor_id VARCHAR")
    store.con.execute("UPDATE orgs SET successor_id = 'google-deepmind' "
                      "WHERE org_id = 'google-brain'")
    for y in (2018, 2019):
        store.paper(y, [("gia", ["google-brain"], None)])
    for y in (2020, 2021, 2022):
        store.paper(y, [("gia", ["google-research"], None)])
    for y in (2023, 2024):
        store.paper(y, [("gia", ["google-deepmind"], None)])
    for y in (2019, 2020):
        store.paper(y, [("hu", ["ucas"], None)])
    for y in (2021, 2022):
        store.paper(y, [("hu", ["casia"], None)])
    con = store.build()
    assert moves_of(con, "gia") == [] and moves_of(con, "hu") == []


def test_one_departure_to_a_renamed_employer_is_one_move(store):
    orgs(store)
    store.con.execute("ALTER TABLE orgs ADD COLUMN successor_id VARCHAR")
    store.con.execute("INSERT INTO orgs VALUES ('DM', 'DeepMind', 'industry_lab', NULL, "
                      "'G', 'G', 'GDM')")
    for y in (2017, 2018, 2019):
        store.paper(y, [("ivy", ["U"], None)])
    for y in (2021, 2022):
        store.paper(y, [("ivy", ["DM"], None)])
    for y in (2023, 2024):
        store.paper(y, [("ivy", ["GDM"], None)])
    con = store.build()
    assert [m[:4] for m in moves_of(con, "ivy")] == [("U", "DM", 2019, 2021)]


def test_transition_survives_one_lag_record_at_the_old_place(store):
    """A paper written while moving lists both places; one later paper still shows the old one
    (publication lag) in a year the new one is seen: still a move. An institute held with a
    university (a joint lab) seen again stays a dual affiliation."""
    orgs(store)
    store.org("INST", "Institute Gamma", "institute")
    for who, old in (("joy", "U"), ("ken", "INST")):
        for y in (2018, 2019, 2020):
            store.paper(y, [(who, [old], None)])
        store.paper(2021, [(who, [old, "V"], None)])
        for y in (2021, 2022, 2023):
            store.paper(y, [(who, ["V"], None)])
        store.paper(2022, [(who, [old], None)])  # lag
    con = store.build()
    assert [m[:5] for m in moves_of(con, "joy")] == [("U", "V", 2021, 2021, "job_change")]
    assert moves_of(con, "ken") == []


def test_leaving_a_university_and_its_institute_together_is_two_departures(store):
    """A researcher at a university and an institute (named together) leaves both for a
    company: a departure from each. A place named once beside the main one is no departure."""
    orgs(store)
    store.org("INST", "Institute Gamma", "institute")
    for y in (2017, 2018, 2019):
        store.paper(y, [("lea", ["U", "INST"], None)])
    for y in (2021, 2022):
        store.paper(y, [("lea", ["OAI"], None)])
    for y in (2017, 2018):
        store.paper(y, [("max", ["U"], None)])
    store.paper(2019, [("max", ["U", "INST"], None)])
    for y in (2021, 2022):
        store.paper(y, [("max", ["OAI"], None)])
    con = store.build()
    assert sorted(m[:2] for m in moves_of(con, "lea")) == [("INST", "OAI"), ("U", "OAI")]
    assert [m[:2] for m in moves_of(con, "max")] == [("U", "OAI")]


def test_records_under_a_linked_name_corroborate_a_side(store):
    """One profile record at Google DeepMind and one at Google (its parent) in the same year,
    in two files, are two records at one employer: enough for a side, where one record under
    one name alone is not (the role does not step up)."""
    orgs(store)
    for y in (2018, 2019, 2020):
        store.paper(y, [("ned", ["U"], "Researcher")])
    store.paper(2022, [("ned", ["GDM"], "Researcher")], family="B", venue="icml")
    store.paper(2022, [("ned", ["G"], "Researcher")], family="B", venue="nips")
    store.paper(2022, [("oz", ["GDM"], "Researcher")], family="B", venue="icml")
    for y in (2018, 2019, 2020):
        store.paper(y, [("oz", ["U"], "Researcher")])
    con = store.build()
    assert [m[:2] for m in moves_of(con, "ned")] == [("U", "G")]
    assert moves_of(con, "oz") == []


def test_lone_record_inside_the_time_at_the_other_place_is_no_move(store):
    """One paper at V in the last year the person is seen at U (a coauthor's affiliation on a
    mis-aligned record, a visit), then two years at OpenAI: the move is U -> OpenAI. A lone
    record at V while U goes on after it (a namesake's paper) is no move either."""
    orgs(store)
    for y in (2016, 2017, 2018):
        store.paper(y, [("pia", ["U"], None)])
    store.paper(2018, [("pia", ["V"], None)])
    for y in (2020, 2021):
        store.paper(y, [("pia", ["OAI"], None)])
    for y in (2014, 2015):
        store.paper(y, [("quinn", ["U"], None)])
    for y in (2017, 2019):
        store.paper(y, [("quinn", ["OAI"], None)])
    store.paper(2019, [("quinn", ["V"], None)])
    store.paper(2021, [("quinn", ["U"], None)])
    con = store.build()
    assert [m[:2] for m in moves_of(con, "pia")] == [("U", "OAI")]
    assert ("OAI", "V") not in [m[:2] for m in moves_of(con, "quinn")]


def test_same_rung_on_one_checked_profile_record_after_two_records_is_a_move(store):
    """Researcher at Google in two papers, then researcher at OpenAI on one profile record
    whose coauthors are at OpenAI in other files too: a move between two industry labs."""
    orgs(store)
    for y, venue in ((2021, "a"), (2022, "b")):
        store.paper(y, [("q1", ["OAI"], "Researcher"), ("q2", ["OAI"], "Researcher")],
                    family="B", venue=venue)
    store.paper(2019, [("rae", ["G"], "Researcher")])
    store.paper(2020, [("rae", ["G"], "Researcher")])
    store.paper(2023, [("rae", ["OAI"], "Researcher"), ("q1", ["OAI"], "Researcher"),
                       ("q2", ["OAI"], "Researcher")], family="B", venue="c")
    con = store.build()
    assert [m[:4] for m in moves_of(con, "rae")] == [("G", "OAI", 2020, 2023)]


def test_one_checked_profile_record_without_roles_after_two_records_is_a_move(store):
    """Two papers at Google, then one profile record at OpenAI whose coauthors are at OpenAI
    in other files too, and no role on either side (profiles before 2021 carry none): a move.
    The same record with coauthors no other file shows (`unchecked`) is not one."""
    orgs(store)
    for y, venue in ((2021, "a"), (2022, "b")):
        store.paper(y, [("q1", ["OAI"], None), ("q2", ["OAI"], None)], family="B",
                    venue=venue)
    for who, co in (("uma", ("q1", "q2")), ("val", ("z1", "z2"))):
        store.paper(2019, [(who, ["G"], None)])
        store.paper(2020, [(who, ["G"], None)])
        store.paper(2023, [(who, ["OAI"], None), *((c, ["OAI"], None) for c in co)],
                    family="B", venue="c")
    con = store.build()
    assert [m[:4] for m in moves_of(con, "uma")] == [("G", "OAI", 2020, 2023)]
    assert moves_of(con, "val") == []


def test_one_checked_profile_record_without_roles_on_the_other_side_is_read_narrowly(store):
    """One checked profile record at OpenAI after two papers at Google with no role: a move,
    except when the record's own role is a trainee's (a coauthor's role on a mis-aligned record
    or an internship, far more often than a move), a PhD student's more than MAX_STUDY_YEARS
    after the person was first seen at Google, or in a year the person is seen, with
    corroboration, at a third place (Uni Beta, held beside Google since 2019)."""
    orgs(store)
    for y, venue in ((2021, "a"), (2022, "b")):
        store.paper(y, [("q1", ["OAI"], None), ("q2", ["OAI"], None)], family="B",
                    venue=venue)
    cases = (("uma", (2019, 2020), None), ("wes", (2019, 2020), "MS student"),
             ("yan", (2019, 2020), "PhD student"), ("xia", (2013, 2014), "PhD student"),
             ("zed", (2019, 2020), None))
    for who, years, role in cases:
        for y in years:
            store.paper(y, [(who, ["G"], None)])
        store.paper(2023, [(who, ["OAI"], role), ("q1", ["OAI"], None), ("q2", ["OAI"], None)],
                    family="B", venue="c")
    for y in (2019, 2021, 2024):
        store.paper(y, [("zed", ["V"], None)])
    con = store.build()
    assert [m[:4] for m in moves_of(con, "uma")] == [("G", "OAI", 2020, 2023)]
    assert [m[:4] for m in moves_of(con, "yan")] == [("G", "OAI", 2020, 2023)]
    assert moves_of(con, "wes") == []
    assert moves_of(con, "xia") == []
    assert moves_of(con, "zed") == []


def test_return_while_still_at_the_place_left_must_show_one_person(store):
    """Back at U in 2019 while still seen at V that year: two careers interleaved (namesakes)
    as often as a return. Without a shared coauthor, id or topic across V and U it is dropped;
    with one it stands."""
    orgs(store)
    for who, co in (("sam", "v1"), ("tia", "u1")):
        for y in (2014, 2015):
            store.paper(y, [(who, ["U"], None), ("u1", [], None)], title="Graph kernels")
        for y in (2016, 2017, 2018, 2019):
            store.paper(y, [(who, ["V"], None), ("v1", [], None)], title=f"Ocean waves {y}")
        for y in (2019, 2020):
            store.paper(y, [(who, ["U"], None), (co, [], None)], title="Graph kernels")
    con = store.build()
    assert "return" not in [m[4] for m in moves_of(con, "tia")]
    assert ("V", "U", "return") in [(m[0], m[1], m[4]) for m in moves_of(con, "sam")]


def test_record_on_a_scrambled_paper_whose_place_no_coauthor_holds_is_the_authors_own(store):
    """A profile record whose coauthors' slots do not match them elsewhere (the paper's
    affiliation list is scrambled) is suspect — unless no coauthor holds the record's
    organisation anywhere: it cannot be a coauthor's affiliation shifted into this slot."""
    orgs(store)
    for venue, y in (("a", 2019), ("b", 2020)):
        store.paper(y, [("k1", ["U"], "Researcher"), ("k2", ["V"], "Researcher")],
                    family="B", venue=venue)
        store.paper(y, [("k3", ["U"], "Researcher"), ("k4", ["V"], "Researcher")],
                    family="B", venue=venue)
    store.paper(2021, [("uli", ["G"], "PhD student"), ("k1", ["V"], "Researcher"),
                       ("k2", ["U"], "Researcher")], family="B", venue="c")
    store.paper(2021, [("vic", ["U"], "PhD student"), ("k3", ["G"], "Researcher"),
                       ("k4", ["G"], "Researcher")], family="B", venue="d")
    con = store.build()
    align = dict(con.execute("SELECT person_id, alignment FROM affiliation_obs WHERE "
                             "person_id IN ('uli', 'vic')").fetchall())
    assert align == {"uli": "own", "vic": "suspect"}


def test_a_move_between_two_fields_must_show_one_person(store):
    """Image processing at V, then legal NLP at U, nothing in common: two people of one name
    as often as a change of field. With a shared coauthor it is one person who moved; a
    general venue (NeurIPS and the like) speaks for no field, so it never asks for the link."""
    orgs(store)
    for who, co_at_u, venue_at_u in (("hal", "u1", "acl"), ("ivy", "v1", "acl"),
                                     ("jon", "u1", "nips")):
        for y in (2008, 2009):
            store.paper(y, [(who, ["V"], None), ("v1", [], None)], family="", venue="cvpr",
                        title=f"Image deblurring {y}")
        for y in (2011, 2012):
            store.paper(y, [(who, ["U"], None), (co_at_u, [], None)], family="",
                        venue=venue_at_u, title=f"Statute retrieval {y}")
    con = store.build()
    assert moves_of(con, "hal") == []
    assert [m[:2] for m in moves_of(con, "ivy")] == [("V", "U")]
    assert [m[:2] for m in moves_of(con, "jon")] == [("V", "U")]
    assert store.report["moves_dropped_no_link"] == 1


def test_a_name_many_openreview_profiles_share_must_show_one_person(store):
    """'~Qiang_Wang14' says fourteen profiles carry the name: a person of that name is as
    likely two people merged as one who moved, so the move needs a shared coauthor, id or
    topic. The same career under a rare name is a move as it stands."""
    orgs(store)
    for who in ("qiang_wang", "zeno_quill"):
        for y in (2008, 2009):
            store.paper(y, [(who, ["V"], None), ("v1", [], None)], title=f"Visual tracking {y}")
        for y in (2011, 2012):
            store.paper(y, [(who, ["U"], None), ("u1", [], None)], title=f"Protein design {y}")
    store.paper(2015, [("someone", [], None)])
    store.con.execute("UPDATE mentions SET openreview_id = '~Qiang_Wang14' "
                      "WHERE raw_name = 'Someone'")
    con = store.build()
    assert moves_of(con, "qiang_wang") == []
    assert [m[:2] for m in moves_of(con, "zeno_quill")] == [("V", "U")]

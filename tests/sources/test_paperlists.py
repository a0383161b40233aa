"""The paperlists connector: every record family, alignment rules, ids, and personal data."""

from __future__ import annotations

from corpus_helpers import ingest, rows


def mention(con, paper_id: str, position: int) -> dict:
    found = rows(con, "SELECT * FROM mentions WHERE paper_id = ? AND position = ?",
                 [paper_id, position])
    assert len(found) == 1, f"expected one mention {paper_id}#{position}, got {len(found)}"
    return found[0]


def paper(con, paper_id: str) -> dict:
    found = rows(con, "SELECT * FROM papers WHERE paper_id = ?", [paper_id])
    assert len(found) == 1, f"expected one paper {paper_id}, got {len(found)}"
    return found[0]


def test_every_fixture_file_is_ingested_with_its_counts(store, corpus):
    totals = ingest(store, corpus)
    assert totals["files"] == 6 and totals["ingested"] == 6
    per_file = dict(store.execute("SELECT source_file, papers FROM sources").fetchall())
    assert per_file == {"iclr2023.json": 3, "nips2024.json": 2, "icml2019.json": 2,
                        "icra2019.json": 1, "acl2022.json": 1, "cvpr2023.json": 24}
    assert store.execute("SELECT sum(records_read) FROM sources").fetchone()[0] == 34


def test_openreview_profile_record_zips_parallel_fields(store, corpus):
    ingest(store, corpus)
    ada = mention(store, "iclr2023/aaa111", 0)
    assert ada["raw_name"] == "Ada Quill"
    assert ada["openreview_id"] == "~Ada_Quill1"
    assert ada["raw_affiliation"] == "Example Lab" and ada["aff_aligned"]
    assert ada["affiliation_domain"] == "example.com"
    assert ada["role"] == "Research Scientist"
    assert ada["dblp"] == "123/456" and ada["google_scholar"] == "AbC_dEf"
    assert ada["homepage"] == "https://ada.example"
    assert ada["aff_norm"] == "Example Lab" and ada["aff_country"] == "United States"
    bo = mention(store, "iclr2023/aaa111", 1)
    assert bo["orcid"] == "0000-0002-1825-0097" and bo["role"] == "PhD student"
    assert bo["aff_country"] == "Canada"
    p = paper(store, "iclr2023/aaa111")
    assert p["decision"] == "oral" and p["citations"] == 12
    assert p["rating_avg"] == 6.5  # [mean, std] lists keep the mean
    assert p["abstract"] == "We study sparse mixtures & tiny robots."
    assert p["keywords"] == ["mixture of experts", "robotics"]


def test_gender_is_never_stored(store, corpus):
    ingest(store, corpus)
    columns = {r[0] for r in store.execute(
        "SELECT column_name FROM information_schema.columns").fetchall()}
    assert not any("gender" in c for c in columns)


def test_fewer_affiliations_than_authors_stay_on_the_paper(store, corpus):
    ingest(store, corpus)
    for position in (0, 1):
        m = mention(store, "iclr2023/bbb222", position)
        assert m["raw_affiliation"] is None and not m["aff_aligned"] and m["role"] is None
        assert m["openreview_id"] is not None
    assert paper(store, "iclr2023/bbb222")["aff_set"] == ["Nowhere Institute"]
    reasons = [r["reason"] for r in rows(
        store, "SELECT reason FROM quarantine WHERE record_id = 'bbb222' AND field = 'aff'")]
    assert reasons == ["1 affiliations for 2 authors; kept as the paper's affiliation set, "
                       "not attributed to authors"]


def test_email_author_ids_are_kept_apart_as_personal_data(store, corpus):
    ingest(store, corpus)
    fay = mention(store, "iclr2023/ddd444", 0)
    assert fay["email"] == "fay.gold@nowhere.edu" and fay["email_domain"] == "nowhere.edu"
    assert fay["openreview_id"] is None


def test_record_without_authors_is_quarantined_with_its_reason(store, corpus):
    ingest(store, corpus)
    q = rows(store, "SELECT * FROM quarantine WHERE record_id = 'ccc333'")
    assert [(r["level"], r["field"], r["reason"]) for r in q] == [
        ("record", "authors", "record has no authors")]
    assert not rows(store, "SELECT * FROM papers WHERE record_id = 'ccc333'")


def test_listing_names_split_on_commas_after_decoding_double_escaped_entities(store, corpus):
    ingest(store, corpus)
    names = [r[0] for r in store.execute(
        "SELECT raw_name FROM mentions WHERE paper_id = 'nips2024/site_1' ORDER BY position"
    ).fetchall()]
    assert names == ["Hana Ito", "Ivan Petrov", "Jo'Anne Kim"]
    assert paper(store, "nips2024/site_2")["title"] == 'Another "Quoted" Title'
    assert paper(store, "nips2024/site_2")["decision"] == "spotlight"


def test_proceedings_record_maps_unique_indexes_and_dual_affiliations(store, corpus):
    ingest(store, corpus)
    lars = mention(store, "icml2019/4015", 1)
    assert lars["raw_affiliation"] == "University of Nowhere + Example Lab"
    assert lars["aff_norm"] == "University of Nowhere + Example Lab"
    assert lars["email_domain"] == "nowhere.edu"
    assert paper(store, "icml2019/4015")["citations"] == 76


def test_number_of_the_wrong_type_is_dropped_and_reported(store, corpus):
    ingest(store, corpus)
    assert paper(store, "icml2019/4016")["citations"] is None
    q = rows(store, "SELECT * FROM quarantine WHERE record_id = '4016'")
    assert [(r["level"], r["field"]) for r in q] == [("field", "gs_citation")]
    assert "expected a number, found text" in q[0]["reason"]
    assert q[0]["source_file"] == "icml2019.json" and q[0]["record_index"] == 1


def test_doubled_ieee_author_lists_are_read_once(store, corpus):
    ingest(store, corpus)
    got = rows(store, "SELECT raw_name, ieee_id FROM mentions WHERE paper_id = 'icra2019/8794157' "
                      "ORDER BY position")
    assert got == [{"raw_name": "Nia Okafor", "ieee_id": "37086936234"},
                   {"raw_name": "Omar Pahl", "ieee_id": "37394385100"}]
    assert paper(store, "icra2019/8794157")["n_authors"] == 2


def test_anthology_slugs_and_orcids_in_author_ids(store, corpus):
    ingest(store, corpus)
    assert mention(store, "acl2022/2022.acl-long.75", 0)["acl_id"] == "p/pia-quist"
    assert mention(store, "acl2022/2022.acl-long.75", 1)["orcid"] == "0000-0002-1825-0097"


def test_deduplicated_affiliation_sets_are_never_attributed(store, corpus):
    """A CVF-style file whose `aff` never repeats a value holds per-paper sets: even a set that
    happens to have as many entries as authors must not be zipped with them."""
    ingest(store, corpus)
    attributed = store.execute(
        "SELECT count(*) FROM mentions WHERE source_file = 'cvpr2023.json' AND aff_aligned"
    ).fetchone()[0]
    assert attributed == 0
    two_authors = paper(store, "cvpr2023/site_000")
    assert two_authors["n_authors"] == 2 and len(two_authors["aff_set"]) == 2

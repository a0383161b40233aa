"""The pipeline board: a card's column follows the candidate's real state, and a refused move
says why and leaves the board as it was (issue #15 item 3)."""

from __future__ import annotations

import re

from talentgraph.ops.models import Candidate


def hired_without_answer(client_for, world, name: str) -> tuple[int, int]:  # noqa: ANN001
    """A candidate with an approved offer and no recorded answer whose stage says 'hired' (as
    older data may: the core now refuses that move)."""
    lead = client_for("recruiting_lead")
    cid = lead.post("/api/candidates", json={"name": name}).json()["id"]
    assert lead.post(f"/api/candidates/{cid}/stage",
                     json={"stage": "interviewing"}).status_code == 200
    ex = client_for("executive")
    r = ex.post("/api/offers", json={"candidate_id": cid, "level": "L5", "ours": {
        "base": 200000, "bonus_pct": 10, "equity": 400000}})
    assert r.status_code == 201, r.text
    oid = r.json()["id"]
    assert ex.post(f"/api/offers/{oid}/decision",
                   json={"decision": "approved"}).status_code == 200
    with world["ops"].session() as s:
        s.get(Candidate, cid).stage = "hired"
    return cid, oid


def _column_of(html: str, cid: int) -> str:
    for col in re.split(r'(?=<div class="column")', html)[1:]:
        if f'data-candidate="{cid}"' in col:
            return re.search(r'data-stage="(\w+)"', col).group(1)
    raise AssertionError(f"candidate {cid} is not on the board")


def test_card_follows_the_offer_and_a_refused_move_says_why(client_for, world) -> None:
    cid, oid = hired_without_answer(client_for, world, "Hilda Notyet")
    lead = client_for("recruiting_lead")
    page = lead.get("/pipeline").text
    assert _column_of(page, cid) == "offer"
    assert f"recorded as hired, but offer #{oid} is approved" in page
    api = lead.get("/api/candidates").json()
    assert cid in [c["id"] for c in api["board"]["offer"]]
    assert cid not in [c["id"] for c in api["board"]["hired"]]

    r = lead.post(f"/pipeline/{cid}/stage", data={"stage": "contacted"},
                  headers={"HX-Request": "true"})
    assert r.status_code == 422 and r.headers["X-Board-Refused"] == "1"
    assert "<html" not in r.text  # the board fragment, not an error page
    assert "Hilda Notyet was not moved to contacted: the candidate is hired" in r.text
    assert f"offer #{oid} is approved with no answer" in r.text
    assert _column_of(r.text, cid) == "offer"
    # the card's menu shows its recorded stage again, not the refused choice
    card = r.text.split(f'data-candidate="{cid}"', 1)[1].split("</form>", 1)[0]
    assert re.search(r'<option value="hired" selected', card)
    assert not re.search(r'<option value="contacted" selected', card)
    with world["ops"].session() as s:
        assert s.get(Candidate, cid).stage == "hired"  # nothing changed
    other = lead.post("/api/candidates", json={"name": "Moves Fine"}).json()["id"]
    ok = lead.post(f"/pipeline/{other}/stage", data={"stage": "contacted"},
                   headers={"HX-Request": "true"})
    assert ok.status_code == 200 and "was not moved" not in ok.text

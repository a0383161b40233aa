"""Outreach letters cite the candidate's own strongest work on the letter's topic, with venue and
year, chosen by the dossier's ranking (issue #15 item 5), in the API, the page and the CLI."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from talentgraph.cli import app
from talentgraph.ops import users

from .seed import password


def _cited(body: str) -> list[str]:
    return re.findall(r'"([^"]+)"', body)


def _candidate(c, world, name: str, **extra) -> int:  # noqa: ANN001
    r = c.post("/api/candidates", json={"name": name, "person_id": world["people"][name],
                                        **extra})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_letter_cites_the_work_they_led_on_the_topic_with_venue_and_year(client_for,
                                                                        world) -> None:
    rec = client_for("recruiter")
    cid = _candidate(rec, world, "Ada Quill")
    r = rec.post("/api/outreach/letters", json={
        "candidate_id": cid, "signer": "executive",
        "topic": "human feedback and reinforcement learning for large language models"})
    assert r.status_code == 201, r.text
    body = r.json()["body"]
    # both of her lines of work match; she is first author of the RLHF papers, second of three
    # on the alignment ones: the letter cites what she led
    first, second = _cited(body)[:2]
    assert first.startswith("Reinforcement learning from human feedback")
    assert second.startswith("Reinforcement learning from human feedback")
    assert "Scalable alignment" not in body
    assert re.search(r'" \(ICLR 20\d\d\) stayed with me', body)
    assert re.search(r'So did "[^"]+" \(ICLR 20\d\d\)\.', body)
    assert body.rstrip().endswith("Google DeepMind")
    # another topic, other papers
    r = rec.post("/api/outreach/letters", json={"candidate_id": cid, "signer": "executive",
                                                "topic": "alignment"})
    assert _cited(r.json()["body"])[0].startswith("Scalable alignment")


def test_cli_draft_on_a_built_store(world, monkeypatch) -> None:  # noqa: ANN001
    with world["ops"].session() as s:
        from talentgraph.ops import candidates
        exe = users.actor_for(users.get_user(s, "executive"))
        cid = candidates.create_candidate(s, exe, "Hana Ito",
                                          person_id=world["people"]["Hana Ito"]).id
    monkeypatch.setenv("TALENTGRAPH_PASSWORD", password("recruiter"))
    out = CliRunner().invoke(app, ["ops", "--ops-db", world["ops_url"], "--as", "recruiter",
                                   "outreach", "draft", str(cid), "--signer", "executive",
                                   "--graph-db", str(world["db"]), "--topic",
                                   "message passing graph neural networks"])
    text = " ".join(out.output.split())  # the console wraps long lines
    assert out.exit_code == 0, out.output
    assert re.search(r'"Graph neural networks: study \d of \d{4}" \(ICLR \d{4}\)', text)

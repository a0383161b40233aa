"""Letters: signed in the name of our organisation or not drafted; about the requisition's topic
unless told otherwise; topics and venues written for people (issue #15 item 5)."""

from __future__ import annotations

from datetime import date

import pytest

from talentgraph.errors import OpsInputError
from talentgraph.ops import candidates, outreach, plans, settings
from talentgraph.ops.db import OpsStore
from talentgraph.ops.graphview import PaperRef, PersonSummary
from talentgraph.ops.permissions import Actor
from talentgraph.sourcing.venues import clean_topics, venue_name


class RecordingGraph:
    def __init__(self) -> None:
        self.topics: list[str | None] = []

    def person_summary(self, person_id: str, topic: str | None = None) -> PersonSummary:
        self.topics.append(topic)
        return PersonSummary(person_id, "Dee Zed", [PaperRef("Thinking Step by Step", "nips",
                                                             2022, "Oral")], ["reasoning"])


def test_no_letter_signed_as_our_lab(store: OpsStore, users: dict[str, Actor]) -> None:
    with store.session() as s:
        cid = candidates.create_candidate(s, users["recruiter"], "Dee Zed", person_id="p:d").id
    with pytest.raises(OpsInputError, match="policy set organisation"), store.session() as s:
        outreach.draft_letter(s, users["recruiter"], cid, "executive", RecordingGraph())
    with store.session() as s:
        settings.set_setting(s, users["executive"], "organisation", {"name": "Acme Research"})
        letter = outreach.draft_letter(s, users["recruiter"], cid, "executive",
                                       RecordingGraph())
    assert letter.body.rstrip().endswith("Acme Research") and "our lab" not in letter.body
    assert '"Thinking Step by Step" (NeurIPS 2022)' in letter.body


def test_the_topic_is_the_requisition_unless_given(store: OpsStore,
                                                   users: dict[str, Actor]) -> None:
    graph = RecordingGraph()
    with store.session() as s:
        settings.set_setting(s, users["executive"], "organisation", {"name": "Acme Research"})
        req = plans.create_requisition(s, users["recruiting_lead"], "LLM reasoning", "genai",
                                       "L5", 1, date(2026, 1, 1))
        cid = candidates.create_candidate(s, users["recruiter"], "Dee Zed", person_id="p:d",
                                          requisition_id=req.id).id
        outreach.draft_letter(s, users["recruiter"], cid, "executive", graph)
        outreach.draft_letter(s, users["recruiter"], cid, "executive", graph,
                              topic="chain of thought")
    assert graph.topics == ["LLM reasoning", "chain of thought"]


def test_topics_and_venues_are_written_for_people() -> None:
    raw = ["Natural Language Processing: Language Generation, Machine Learning: Deep Learning",
           "large language models", "Large Language Models", "LLM", "Chain-of-thought",
           "a keyword that is far too long to be a topic anyone reads"]
    assert clean_topics(raw, 10) == ["language generation", "deep learning",
                                     "large language models", "LLM", "chain-of-thought"]
    assert not any(":" in t for t in clean_topics(raw, 10))
    assert (venue_name("nips"), venue_name("iclr"), venue_name("acl"), venue_name(None)) == (
        "NeurIPS", "ICLR", "ACL", None)

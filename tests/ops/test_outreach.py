"""Letters drafted from the candidate's own work, exported as .eml, sent over SMTP, answered."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from talentgraph.errors import OpsConfigError, OpsInputError
from talentgraph.ops import candidates, outreach, settings
from talentgraph.ops.db import OpsStore
from talentgraph.ops.graphview import Coauthor, FakeGraphView, PaperRef, PersonSummary
from talentgraph.ops.models import Employee
from talentgraph.ops.permissions import Actor

GRAPH = FakeGraphView({"p:ada": PersonSummary(
    "p:ada", "Ada Lovelace",
    top_papers=[PaperRef("Analytical Engines Are All You Need", "iclr", 2025, "Oral"),
                PaperRef("Notes on the Engine", "nips", 2024, "Poster")],
    topics=["program synthesis", "reasoning", "compilers", "extra"],
    coauthors=[Coauthor("p:babbage", "Charles Babbage", "Rival AI"),
               Coauthor("p:mary", "Mary Somerville", "Our Lab", "org:ours"),
               Coauthor("p:emp", "Emp Loyee", "Elsewhere U")])})


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802, ANN201
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield outreach.SmtpSettings("127.0.0.1", port), inbox
    controller.stop()


def _candidate(store: OpsStore, users: dict[str, Actor]) -> int:
    with store.session() as s:
        settings.set_setting(s, users["executive"], "organisation",
                             {"name": "Our Lab", "org_ids": ["org:ours"]})
        s.add(Employee(email="emp@ourlab.example", name="Emp Loyee", team="genai", level="L5",
                       start_date=__import__("datetime").date(2022, 1, 1), base=1, bonus=0,
                       currency="USD", person_id="p:emp"))
        return candidates.create_candidate(s, users["recruiter"], "Ada Lovelace",
                                           "ada@example.org", person_id="p:ada").id


def test_draft_uses_the_candidates_own_work(store: OpsStore, users: dict[str, Actor]) -> None:
    cid = _candidate(store, users)
    with store.session() as s:
        letter = outreach.draft_letter(s, users["recruiter"], cid, "executive", GRAPH)
    assert letter.subject == "Your work on Analytical Engines Are All You Need"
    assert letter.body.startswith("Dear Ada,")
    assert '"Analytical Engines Are All You Need" (ICLR 2025)' in letter.body
    assert "program synthesis, reasoning, compilers is close to what we are building at Our Lab" \
        in letter.body
    # Shared coauthors at our organisation: by org id, and by the roster's person ids.
    assert "Mary Somerville, Emp Loyee wrote with you" in letter.body
    assert "Babbage" not in letter.body
    assert letter.body.rstrip().endswith("Executive\nOur Lab")
    with pytest.raises(OpsInputError, match="signed by an executive"), store.session() as s:
        outreach.draft_letter(s, users["recruiter"], cid, "recruiter", GRAPH)
    with store.session() as s:
        assert outreach.list_signers(s, users["contract_recruiter"]) == [
            {"username": "executive", "display_name": "Executive", "role": "executive"}]


def test_custom_template_errors_are_clear(store, users, tmp_path) -> None:  # noqa: ANN001
    cid = _candidate(store, users)
    bad = tmp_path / "bad.j2"
    bad.write_text("Hello {{ candidate.nickname }}")
    with pytest.raises(OpsInputError, match="nickname"), store.session() as s:
        outreach.draft_letter(s, users["recruiter"], cid, "executive", GRAPH, template_path=bad)


def test_export_send_and_reply(store: OpsStore, users: dict[str, Actor], smtp_server) -> None:  # noqa: ANN001
    smtp, inbox = smtp_server
    rec = users["recruiter"]
    cid = _candidate(store, users)
    with store.session() as s:
        lid = outreach.draft_letter(s, rec, cid, "executive", GRAPH).id
        outreach.edit_letter(s, rec, lid, subject="Your work on analytical engines")
        eml = outreach.export_eml(s, rec, lid)
    parsed = message_from_bytes(eml)
    assert parsed["To"] == "Ada Lovelace <ada@example.org>"
    assert parsed["From"] == "Executive <executive@ourlab.example>"
    assert "Analytical Engines" in parsed.get_payload(decode=True).decode()
    with pytest.raises(OpsConfigError, match="SMTP is not configured"), store.session() as s:
        outreach.send_letter(s, rec, lid, None)
    with store.session() as s:
        mid = outreach.send_letter(s, rec, lid, smtp)
    assert len(inbox.messages) == 1 and inbox.messages[0]["Message-ID"] == mid
    assert inbox.messages[0]["Subject"] == "Your work on analytical engines"
    with pytest.raises(OpsInputError, match="already sent"), store.session() as s:
        outreach.send_letter(s, rec, lid, smtp)
    with pytest.raises(OpsInputError, match="already sent"), store.session() as s:
        outreach.edit_letter(s, rec, lid, body="changed after sending")
    with store.session() as s:
        assert candidates.get_candidate(s, rec, cid)["stage"] == "contacted"
        outreach.record_reply(s, rec, lid, "interested", "Happy to talk next week.")
        assert candidates.get_candidate(s, rec, cid)["stage"] == "replied"
    with pytest.raises(OpsInputError, match="outcome"), store.session() as s:
        outreach.record_reply(s, rec, lid, "maybe")


def test_smtp_failure_is_clear_and_leaves_a_draft(store, users) -> None:  # noqa: ANN001
    cid = _candidate(store, users)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here
    with store.session() as s:
        lid = outreach.draft_letter(s, users["recruiter"], cid, "executive", GRAPH).id
    with pytest.raises(OpsConfigError, match="failed"), store.session() as s:
        outreach.send_letter(s, users["recruiter"], lid, outreach.SmtpSettings("127.0.0.1", port))
    with store.session() as s:
        assert outreach.get_letter(s, users["recruiter"], lid)["status"] == "draft"

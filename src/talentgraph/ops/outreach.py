"""Personal letters: drafted from the candidate's own work, signed by an executive, exported as
.eml, sent where SMTP is configured, and replies recorded."""

from __future__ import annotations

import os
import smtplib
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy import select
from sqlalchemy.orm import Session

from talentgraph.errors import NotFoundError, OpsConfigError, OpsInputError
from talentgraph.ops import audit
from talentgraph.ops.candidates import normalise_name, require_candidate_access, set_stage
from talentgraph.ops.graphview import GraphView, PersonSummary
from talentgraph.ops.models import (
    Candidate,
    Employee,
    OutreachLetter,
    OutreachReply,
    Requisition,
    User,
    utcnow,
)
from talentgraph.ops.permissions import Actor, Op, Role, allowed, require
from talentgraph.ops.settings import DEFAULTS, get_setting
from talentgraph.sourcing.venues import venue_name

OUTCOMES = ("interested", "not_interested", "later", "other")
DEFAULT_SUBJECT = ("{% if papers %}Your work on {{ papers[0].title }}{% else %}"
                   "A note from {{ signer.display_name }}{% endif %}")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    username: str | None = None
    password: str | None = None
    starttls: bool = False

    @classmethod
    def from_env(cls) -> SmtpSettings | None:
        """From $TALENTGRAPH_SMTP_HOST/_PORT/_USER/_PASSWORD/_STARTTLS; None when no host."""
        host = os.environ.get("TALENTGRAPH_SMTP_HOST")
        if not host:
            return None
        port = os.environ.get("TALENTGRAPH_SMTP_PORT", "25")
        if not port.isdigit():
            raise OpsConfigError(f"$TALENTGRAPH_SMTP_PORT must be a port number, not {port!r}")
        return cls(host, int(port), os.environ.get("TALENTGRAPH_SMTP_USER"),
                   os.environ.get("TALENTGRAPH_SMTP_PASSWORD"),
                   os.environ.get("TALENTGRAPH_SMTP_STARTTLS", "0").lower() in ("1", "true", "yes"))


def _env(loader: jinja2.BaseLoader) -> jinja2.Environment:
    # Plain-text letters: no HTML escaping; a missing variable is an error, not a blank.
    return jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, autoescape=False,
                              keep_trailing_newline=True)


def _template(template_path: Path | None) -> jinja2.Template:
    try:
        if template_path is not None:
            return _env(jinja2.FileSystemLoader(str(template_path.parent))).get_template(
                template_path.name)
        text = resources.files("talentgraph.ops").joinpath("templates/outreach_letter.j2")
        return _env(jinja2.BaseLoader()).from_string(text.read_text(encoding="utf-8"))
    except jinja2.TemplateNotFound as exc:
        raise OpsInputError(f"letter template not found: {template_path}") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise OpsInputError(f"letter template {template_path or 'built-in'} line {exc.lineno}: "
                            f"{exc.message}") from exc


def _shared_coauthors(s: Session, summary: PersonSummary) -> list[dict[str, Any]]:
    """Coauthors who work with us: on our roster (by graph person id) or at one of our orgs."""
    org = get_setting(s, "organisation")
    our_ids = {str(i) for i in org.get("org_ids", [])}
    our_names = {normalise_name(n) for n in [org.get("name", ""), *org.get("aliases", [])] if n}
    ours = {pid for (pid,) in s.execute(select(Employee.person_id).where(
        Employee.person_id.in_([c.person_id for c in summary.coauthors])))}
    return [asdict(c) for c in summary.coauthors
            if c.person_id in ours or (c.org_id and c.org_id in our_ids)
            or (c.org and normalise_name(c.org) in our_names)]


def _signer(s: Session, username: str) -> User:
    user = s.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise NotFoundError(f"no active user named {username!r} to sign the letter")
    if not allowed(Role(user.role), Op.OUTREACH_SIGN):
        raise OpsInputError(f"letters are signed by an executive; {username} is a {user.role}")
    return user


def organisation_name(s: Session) -> str:
    """Who signs: the 'organisation' setting's name; refused while it is unset (empty, or
    the setting's placeholder default 'our lab', which no letter may be signed with)."""
    name = (get_setting(s, "organisation").get("name") or "").strip()
    if not name or name == DEFAULTS["organisation"]["name"]:
        raise OpsInputError(
            "a letter is signed in the name of our organisation, which is not set: ask an "
            "executive or admin to set it (talentgraph ops policy set organisation "
            "name='Our Organisation'), then draft again")
    return name


def letter_topic(s: Session, cand: Candidate, topic: str | None) -> str | None:
    """What the letter is about: the topic given, else the title of the candidate's
    requisition (the papers cited are chosen for it)."""
    if topic and topic.strip():
        return topic.strip()
    req = s.get(Requisition, cand.requisition_id) if cand.requisition_id else None
    return req.title if req is not None else None


def draft_letter(s: Session, actor: Actor, candidate_id: int, signer: str,
                 graph: GraphView | None = None, template_path: Path | None = None,
                 subject: str | None = None, topic: str | None = None) -> OutreachLetter:
    """Fill the template with the candidate's own work (when they are linked to the graph):
    their papers most relevant to `topic` (default: the requisition's title) that they led,
    orals and spotlights, cited ones, each with venue and year."""
    cand = require_candidate_access(s, actor, candidate_id, Op.OUTREACH_WRITE)
    sig = _signer(s, signer)
    organisation = organisation_name(s)
    topic = letter_topic(s, cand, topic)
    summary = None
    if cand.person_id and graph is not None:
        summary = graph.person_summary(cand.person_id, topic)
    papers = [{**asdict(p), "venue": venue_name(p.venue)}
              for p in summary.top_papers] if summary else []
    topics = list(summary.topics) if summary else []
    shared = _shared_coauthors(s, summary) if summary else []
    context = {
        "candidate": {"name": cand.name, "first_name": (cand.name or "").split()[0]},
        "papers": papers, "topics": topics, "shared": shared, "organisation": organisation,
        "signer": {"display_name": sig.display_name, "email": sig.email},
    }
    try:
        body = _template(template_path).render(**context)
        subj = _env(jinja2.BaseLoader()).from_string(subject or DEFAULT_SUBJECT).render(**context)
    except jinja2.UndefinedError as exc:
        raise OpsInputError(f"letter template: {exc.message}; variables are "
                            f"{', '.join(context)}") from exc
    letter = OutreachLetter(candidate_id=cand.id, signer_id=sig.id, subject=subj.strip(),
                            body=body, to_address=cand.email, status="draft",
                            facts={"papers": papers, "topics": topics, "shared": shared,
                                   "topic": topic},
                            created_by=actor.user_id, created_at=utcnow())
    s.add(letter)
    s.flush()
    audit.record(s, actor, "outreach.draft", "outreach_letter", letter.id,
                 candidate_id=cand.id, signer_id=sig.id, papers=len(papers), shared=len(shared))
    return letter


def _letter(s: Session, actor: Actor, letter_id: int, op: Op) -> OutreachLetter:
    letter = s.get(OutreachLetter, letter_id)
    if letter is None:
        raise NotFoundError(f"no outreach letter #{letter_id}")
    require_candidate_access(s, actor, letter.candidate_id, op)
    return letter


def letter_dict(letter: OutreachLetter) -> dict[str, Any]:
    return {"id": letter.id, "candidate_id": letter.candidate_id, "signer_id": letter.signer_id,
            "subject": letter.subject, "body": letter.body, "to": letter.to_address,
            "status": letter.status, "created_at": letter.created_at, "sent_at": letter.sent_at}


def get_letter(s: Session, actor: Actor, letter_id: int) -> dict[str, Any]:
    letter = _letter(s, actor, letter_id, Op.OUTREACH_VIEW)
    audit.record(s, actor, "outreach.read", "outreach_letter", letter.id)
    return letter_dict(letter)


def list_letters(s: Session, actor: Actor, candidate_id: int) -> list[dict[str, Any]]:
    require_candidate_access(s, actor, candidate_id, Op.OUTREACH_VIEW)
    rows = [letter_dict(x) for x in s.scalars(
        select(OutreachLetter).where(OutreachLetter.candidate_id == candidate_id)
        .order_by(OutreachLetter.id))]
    audit.record(s, actor, "outreach.read", "candidate", candidate_id, letters=len(rows))
    return rows


def edit_letter(s: Session, actor: Actor, letter_id: int, *, subject: str | None = None,
                body: str | None = None) -> OutreachLetter:
    """Rewrite a draft's subject or body by hand before it goes out (sent letters stay as sent)."""
    letter = _letter(s, actor, letter_id, Op.OUTREACH_WRITE)
    if letter.status != "draft":
        raise OpsInputError(f"letter #{letter.id} was already sent; draft a new one instead")
    if subject is not None and not subject.strip():
        raise OpsInputError("letter subject: empty")
    if body is not None and not body.strip():
        raise OpsInputError("letter body: empty")
    changed = [f for f, v in (("subject", subject), ("body", body)) if v is not None]
    if subject is not None:
        letter.subject = subject.strip()
    if body is not None:
        letter.body = body
    audit.record(s, actor, "outreach.edit", "outreach_letter", letter.id, fields=changed)
    return letter


def _message(s: Session, letter: OutreachLetter) -> EmailMessage:
    signer = s.get(User, letter.signer_id)
    assert signer is not None
    msg = EmailMessage()
    msg["Subject"] = letter.subject
    if signer.email:
        msg["From"] = f"{signer.display_name} <{signer.email}>"
    cand = s.get(Candidate, letter.candidate_id)
    if letter.to_address:
        msg["To"] = f"{cand.name} <{letter.to_address}>" if cand and cand.name \
            else letter.to_address
    msg["Date"] = format_datetime(letter.sent_at or letter.created_at)
    if not letter.message_id:
        domain = signer.email.split("@", 1)[1] if signer.email else "talentgraph.local"
        letter.message_id = make_msgid(f"letter{letter.id}", domain=domain)
    msg["Message-ID"] = letter.message_id
    msg.set_content(letter.body)
    return msg


def export_eml(s: Session, actor: Actor, letter_id: int) -> bytes:
    """The letter as an RFC 5322 message (.eml), e.g. to send from one's own mail client."""
    letter = _letter(s, actor, letter_id, Op.OUTREACH_VIEW)
    data = bytes(_message(s, letter))
    audit.record(s, actor, "outreach.export", "outreach_letter", letter.id)
    return data


def send_letter(s: Session, actor: Actor, letter_id: int, smtp: SmtpSettings | None) -> str:
    """Send over SMTP; returns the Message-ID. Moves a 'sourced' candidate to 'contacted'."""
    letter = _letter(s, actor, letter_id, Op.OUTREACH_WRITE)
    if smtp is None:
        raise OpsConfigError("SMTP is not configured: set TALENTGRAPH_SMTP_HOST (and _PORT, "
                             "_USER, _PASSWORD, _STARTTLS as needed), or export the letter with "
                             "`talentgraph ops outreach export-eml` and send it yourself")
    if letter.status != "draft":
        raise OpsInputError(f"letter #{letter.id} was already sent ({letter.status})")
    if not letter.to_address:
        raise OpsInputError(f"letter #{letter.id}: the candidate has no e-mail address")
    signer = s.get(User, letter.signer_id)
    if signer is None or not signer.email:
        raise OpsInputError(f"letter #{letter.id}: the signing executive has no e-mail address")
    letter.sent_at = utcnow()
    msg = _message(s, letter)
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as conn:
            if smtp.starttls:
                conn.starttls()
            if smtp.username:
                conn.login(smtp.username, smtp.password or "")
            conn.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise OpsConfigError(f"sending letter #{letter.id} through {smtp.host}:{smtp.port} "
                             f"failed: {exc}") from exc
    letter.status = "sent"
    cand = s.get(Candidate, letter.candidate_id)
    if cand is not None and cand.stage == "sourced":
        set_stage(s, actor, cand, "contacted", note=None)
    audit.record(s, actor, "outreach.send", "outreach_letter", letter.id,
                 candidate_id=letter.candidate_id, smtp_host=smtp.host)
    return letter.message_id or ""


def record_reply(s: Session, actor: Actor, letter_id: int, outcome: str,
                 body: str | None = None) -> OutreachReply:
    """Note the candidate's answer; an answer moves them to 'replied' if they were not further."""
    letter = _letter(s, actor, letter_id, Op.OUTREACH_WRITE)
    outcome = outcome.strip().lower().replace("-", "_")
    if outcome not in OUTCOMES:
        raise OpsInputError(f"reply outcome {outcome!r}: use one of {', '.join(OUTCOMES)}")
    reply = OutreachReply(letter_id=letter.id, outcome=outcome, body=body,
                          recorded_by=actor.user_id, received_at=utcnow())
    s.add(reply)
    letter.status = "replied"
    cand = s.get(Candidate, letter.candidate_id)
    if cand is not None and cand.stage in ("sourced", "contacted"):
        set_stage(s, actor, cand, "replied")
    s.flush()
    audit.record(s, actor, "outreach.reply", "outreach_letter", letter.id, outcome=outcome,
                 candidate_id=letter.candidate_id)
    return reply



def list_signers(s: Session, actor: Actor) -> list[dict[str, Any]]:
    """The active users who may sign letters (username and name only), for those who draft them."""
    require(actor, Op.OUTREACH_WRITE)
    signing = [r.value for r in Role if allowed(r, Op.OUTREACH_SIGN)]
    return [{"username": u.username, "display_name": u.display_name, "role": u.role}
            for u in s.scalars(select(User).where(User.role.in_(signing), User.active.is_(True))
                               .order_by(User.username))]

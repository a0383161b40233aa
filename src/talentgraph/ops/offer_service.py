"""Offers: built with the comp builder, compared with competing offers, approved by executives.

An offer to someone who never reached the interviewing stage is an exception: it must carry the
sourcing dossier (text, URL or JSON) and an executive's approval, as must an offer above band.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from talentgraph.errors import CompensationError, NotFoundError, OpsInputError
from talentgraph.ops import audit, comp
from talentgraph.ops.candidates import require_candidate_access, set_stage
from talentgraph.ops.compstore import (
    band_from_row,
    check_years,
    jsonable,
    package_from_json,
    package_from_options,
    package_to_json,
)
from talentgraph.ops.models import (
    Approval,
    Candidate,
    CompetingOffer,
    Employee,
    MarketBand,
    Offer,
    StageChange,
    utcnow,
)
from talentgraph.ops.permissions import Actor, Op, require
from talentgraph.ops.settings import get_setting
from talentgraph.ops.stages import INTERVIEWED
from talentgraph.wording import money

DECISIONS = ("approved", "rejected")


def rival_package(s: Session, currency: str, base: Any, *, private: bool = False,
                  private_discount_pct: Any = None, liquidity_probability: Any = None,
                  years_to_liquidity: Any = None, **options: Any) -> comp.Package:
    """A competing offer's package; private-company equity is valued with the offer policy's
    assumptions (discount, years to liquidity) wherever the user gave none.

    The one rule for every interface: the CLI, the web form and the API value the same rival
    offer the same way. `private` (or any private-equity field) marks the equity as private;
    a liquidity probability not given counts as 1 (a liquidity event is certain), and the
    offer page names every assumption used.
    """
    given = (private_discount_pct, liquidity_probability, years_to_liquidity)
    if private or any(x is not None for x in given):
        policy = get_setting(s, "offer")
        if private_discount_pct is None:
            private_discount_pct = policy["private_discount_pct"]
        if years_to_liquidity is None:
            years_to_liquidity = policy["liquidity_years"]
    return package_from_options(currency, base, private_discount_pct=private_discount_pct,
                                liquidity_probability=liquidity_probability,
                                years_to_liquidity=years_to_liquidity, **options)


def add_competing_offer(s: Session, actor: Actor, company: str, package: comp.Package, *,
                        candidate_id: int | None = None, employee_email: str | None = None,
                        years: int = 4) -> CompetingOffer:
    """Record a rival's offer to a candidate or to one of our employees."""
    require(actor, Op.OFFER_BUILD)
    if (candidate_id is None) == (employee_email is None):
        raise OpsInputError("a competing offer is for a candidate or for an employee: give one")
    employee_id = None
    if candidate_id is not None:
        require_candidate_access(s, actor, candidate_id, Op.OFFER_BUILD)
    else:
        emp = s.scalar(select(Employee).where(Employee.email == employee_email.strip().lower()))
        if emp is None:
            raise NotFoundError(f"no employee with e-mail {employee_email} (import the roster)")
        employee_id = emp.id
    if not company.strip():
        raise OpsInputError("competing offer: the company is required")
    totals = comp.yearly_totals(package, check_years(years))
    row = CompetingOffer(candidate_id=candidate_id, employee_id=employee_id,
                         company=company.strip(), package=package_to_json(package),
                         yearly_totals=jsonable(totals.as_dict()["years"]),
                         created_by=actor.user_id, created_at=utcnow())
    s.add(row)
    s.flush()
    audit.record(s, actor, "competing_offer.create", "competing_offer", row.id,
                 candidate_id=candidate_id, employee_id=employee_id)
    return row


def _competing(s: Session, competing_id: int) -> CompetingOffer:
    row = s.get(CompetingOffer, competing_id)
    if row is None:
        raise NotFoundError(f"no competing offer #{competing_id}")
    return row


def our_band(s: Session, level: str, company: str | None = None) -> comp.MarketBand:
    """Our own band for a level: the latest band of our organisation (or `company`)."""
    company = company or get_setting(s, "organisation")["name"]
    band = comp.band_for([band_from_row(b) for b in s.scalars(select(MarketBand))],
                         company, level)
    if band is None:
        raise NotFoundError(f"no market band for company {company!r} at level {level!r}: "
                            "import bands (talentgraph ops bands import) or pass --band-company")
    return band


def over_band(package: comp.Package, band: comp.MarketBand) -> list[str]:
    """Which parts of a hand-built package exceed the band's maximum (yearly equity averaged)."""
    if package.currency != band.currency:
        return [f"the package is in {package.currency}, the band in {band.currency}"]
    equity_per_year = sum((g.value / g.schedule.years for g in package.equity), Decimal(0))
    parts = (("base", package.base, band.base.high), ("bonus", package.bonus, band.bonus.high),
             ("equity per year", equity_per_year, band.equity_per_year.high),
             ("sign-on", sum(package.sign_on, Decimal(0)), band.sign_on.high))
    return [f"{name} {money(value, band.currency)} > band maximum "
            f"{money(high, band.currency)}"
            for name, value, high in parts if value > high]


def _interviewed(s: Session, candidate_id: int) -> bool:
    stages = set(s.scalars(select(StageChange.to_stage)
                           .where(StageChange.candidate_id == candidate_id)))
    return bool(stages & set(INTERVIEWED))


def build_offer(s: Session, actor: Actor, candidate_id: int, level: str, *,
                package: comp.Package | None = None, beat_competing_id: int | None = None,
                band_company: str | None = None, margin_pct: float | None = None,
                years: int = 4, requisition_id: int | None = None,
                dossier: str | None = None, note: str | None = None) -> Offer:
    """Store an offer: the given package, or the smallest in-band package beating a rival's.

    With a competing offer the comparison is stored too. Offers above band or to people never
    interviewed are flagged and wait for an executive's approval like every offer.
    """
    require(actor, Op.OFFER_BUILD)
    cand = require_candidate_access(s, actor, candidate_id, Op.OFFER_BUILD)
    years = check_years(years)
    theirs_row = _competing(s, beat_competing_id) if beat_competing_id is not None else None
    if theirs_row is not None and theirs_row.candidate_id != cand.id:
        raise OpsInputError(f"competing offer #{theirs_row.id} is not for candidate #{cand.id}")
    without_interviews = not _interviewed(s, cand.id)
    if without_interviews and not (dossier and dossier.strip()):
        raise OpsInputError(
            f"candidate #{cand.id} has not been interviewed: an offer without interviews is an "
            "exception that needs the sourcing dossier (--dossier TEXT, URL or JSON) and an "
            "executive's approval")
    needs_exception = without_interviews
    notes: list[str] = []
    if package is None:
        if theirs_row is None:
            raise OpsInputError("give the package (base, equity...) or a competing offer to beat")
        policy = get_setting(s, "offer")
        margin = Decimal(str(policy["beat_margin_pct"] if margin_pct is None else margin_pct))
        result = comp.smallest_beating(package_from_json(theirs_row.package),
                                       our_band(s, level, band_company), margin / 100, years)
        package = result.package
        needs_exception = needs_exception or result.needs_exception
        notes += list(result.notes)
    else:
        try:
            over = over_band(package, our_band(s, level, band_company))
        except NotFoundError as exc:
            over = []
            notes.append(f"not checked against a band: {exc}")
        if over:
            needs_exception = True
            notes.append("above band, needs an exception: " + "; ".join(over))
    totals = comp.yearly_totals(package, years)
    comparison = None
    if theirs_row is not None:
        comparison = jsonable(comp.compare(package, package_from_json(theirs_row.package),
                                           years).as_dict())
    offer = Offer(candidate_id=cand.id, requisition_id=requisition_id or cand.requisition_id,
                  level=level, currency=package.currency, package=package_to_json(package),
                  yearly_totals=jsonable(totals.as_dict()["years"]), status="pending_approval",
                  competing_offer_id=theirs_row.id if theirs_row else None,
                  comparison=comparison, needs_exception=needs_exception,
                  without_interviews=without_interviews, dossier=dossier,
                  note="\n".join(filter(None, [note, *notes])) or None,
                  created_by=actor.user_id, created_at=utcnow())
    s.add(offer)
    s.flush()
    audit.record(s, actor, "offer.build", "offer", offer.id, candidate_id=cand.id,
                 competing_offer_id=offer.competing_offer_id, needs_exception=needs_exception,
                 without_interviews=without_interviews, years=years)
    return offer


def _offer(s: Session, actor: Actor, offer_id: int, op: Op) -> Offer:
    require(actor, op)
    offer = s.get(Offer, offer_id)
    if offer is None:
        raise NotFoundError(f"no offer #{offer_id}")
    return offer


def _money(amount: Decimal | float, currency: str) -> str:
    return f"{Decimal(str(amount)):,.0f} {currency}"


def bonus_view(package: comp.Package) -> dict[str, Any]:
    """The yearly target bonus as an amount, and how it was given (percent of base or amount)."""
    if package.bonus_pct is not None:
        text = f"{_money(package.bonus, package.currency)} ({package.bonus_pct:g}% of base)"
    elif package.bonus_amount is not None:
        pct = package.bonus_amount / package.base * 100 if package.base else None
        text = _money(package.bonus, package.currency) + (
            f" ({pct:.0f}% of base)" if pct is not None else "")
    else:
        text = "none"
    return {"amount": float(package.bonus), "pct": None if package.bonus_pct is None
            else float(package.bonus_pct), "text": text}


def valuation_view(v: comp.PrivateValuation) -> dict[str, Any]:
    """The assumptions private equity is valued with, as numbers and in words."""
    terms = {"discount_pct": float(v.discount * 100),
             "liquidity_probability_pct": float(v.liquidity_probability * 100),
             "years_to_liquidity": float(v.years_to_liquidity),
             "wait_rate_pct": float(v.wait_rate * 100)}
    terms["text"] = (f"discount {terms['discount_pct']:g}%, liquidity probability "
                     f"{terms['liquidity_probability_pct']:g}%, "
                     f"{terms['years_to_liquidity']:g} years to liquidity, waiting priced at "
                     f"{terms['wait_rate_pct']:g}% a year")
    return terms


def rival_view(s: Session, o: Offer) -> dict[str, Any] | None:
    """The competing offer an offer was built against: its total on paper and as counted
    (private equity discounted), the assumptions named, and whether ours beats each."""
    if o.competing_offer_id is None:
        return None
    row = s.get(CompetingOffer, o.competing_offer_id)
    if row is None:
        return None
    theirs = package_from_json(row.package)
    years = len(o.yearly_totals or []) or 4
    try:
        totals = comp.yearly_totals(theirs, years, o.currency)
    except CompensationError:  # another currency and no FX table: show theirs as they are
        totals = comp.yearly_totals(theirs, years)
    ccy = totals.currency
    counted = totals.total
    paper = sum((y.base + y.bonus + y.sign_on + y.equity_paper for y in totals.years),
                Decimal(0))
    equity_paper = sum((y.equity_paper for y in totals.years), Decimal(0))
    equity_counted = sum((y.equity for y in totals.years), Decimal(0))
    ours = Decimal(str(sum(y["total"] for y in o.yearly_totals or [])))
    margin_pct = Decimal(str((o.comparison or {}).get(
        "margin_pct", get_setting(s, "offer")["beat_margin_pct"])))
    factor = 1 + margin_pct / 100
    beats_counted = ccy == o.currency and ours >= counted * factor
    beats_paper = ccy == o.currency and ours >= paper * factor
    view: dict[str, Any] = {
        "id": row.id, "company": row.company, "currency": ccy, "years": years,
        "private": theirs.private, "total_counted": float(counted), "total_paper": float(paper),
        "equity_paper": float(equity_paper), "equity_counted": float(equity_counted),
        "assumptions": valuation_view(theirs.valuation) if theirs.valuation else None,
        "margin_pct": float(margin_pct), "ours_total": float(ours),
        "beats_counted": beats_counted, "beats_paper": beats_paper,
        "bonus": bonus_view(theirs)}
    lines = []
    if theirs.private and theirs.valuation is not None:
        lines.append(f"{row.company}'s private equity: {_money(equity_paper, ccy)} on paper over "
                     f"{years} years, counted as {_money(equity_counted, ccy)} "
                     f"({view['assumptions']['text']}).")
        lines.append(f"{row.company}'s {years}-year total: {_money(paper, ccy)} on paper, "
                     f"{_money(counted, ccy)} with the equity discounted.")
        if ccy == o.currency:
            lines.append(
                f"Ours ({_money(ours, ccy)}) {'beats' if beats_counted else 'does not beat'} "
                f"the discounted total by the {float(margin_pct):g}% margin, and "
                f"{'beats' if beats_paper else 'does not beat'} the paper total"
                f" (difference on paper {ours - paper:+,.0f} {ccy}).")
    else:
        lines.append(f"{row.company}'s {years}-year total: {_money(counted, ccy)} "
                     "(public or no equity: paper value counted in full).")
        if ccy == o.currency:
            lines.append(f"Ours ({_money(ours, ccy)}) "
                         f"{'beats' if beats_counted else 'does not beat'} it by the "
                         f"{float(margin_pct):g}% margin.")
    view["summary"] = lines
    return view


def offer_dict(o: Offer, candidate_name: str | None = None) -> dict[str, Any]:
    total = sum(y["total"] for y in o.yearly_totals) if o.yearly_totals else 0
    return {"id": o.id, "candidate_id": o.candidate_id, "candidate_name": candidate_name,
            "requisition_id": o.requisition_id,
            "level": o.level, "currency": o.currency, "status": o.status,
            "total": total, "yearly_totals": o.yearly_totals, "package": o.package,
            "needs_exception": o.needs_exception, "without_interviews": o.without_interviews,
            "dossier": o.dossier, "note": o.note, "competing_offer_id": o.competing_offer_id,
            "comparison": o.comparison, "created_at": o.created_at}


def _candidate_name(s: Session, candidate_id: int) -> str | None:
    cand = s.get(Candidate, candidate_id)
    return cand.name if cand is not None and cand.erased_at is None else None


def get_offer(s: Session, actor: Actor, offer_id: int) -> dict[str, Any]:
    """One offer with what its approver must see: the candidate's name, the bonus, the rival's
    offer on paper and discounted (assumptions named), the dossier, the decisions."""
    offer = _offer(s, actor, offer_id, Op.OFFER_VIEW)
    audit.record(s, actor, "offer.read", "offer", offer.id)
    d = offer_dict(offer, _candidate_name(s, offer.candidate_id))
    d["bonus"] = bonus_view(package_from_json(offer.package))
    d["rival"] = rival_view(s, offer)
    d["approvals"] = [{"decision": a.decision, "kind": a.kind, "approver_id": a.approver_id,
                       "at": a.at, "note": a.note} for a in s.scalars(
        select(Approval).where(Approval.object_type == "offer", Approval.object_id == offer.id)
        .order_by(Approval.id))]
    return d


def list_offers(s: Session, actor: Actor, candidate_id: int | None = None,
                status: str | None = None) -> list[dict[str, Any]]:
    require(actor, Op.OFFER_VIEW)
    q = select(Offer).order_by(Offer.id)
    if candidate_id is not None:
        q = q.where(Offer.candidate_id == candidate_id)
    if status:
        q = q.where(Offer.status == status)
    found = list(s.scalars(q))
    names = {c.id: c.name for c in s.scalars(select(Candidate).where(
        Candidate.id.in_({o.candidate_id for o in found}), Candidate.erased_at.is_(None)))}
    rows = [offer_dict(o, names.get(o.candidate_id)) for o in found]
    audit.record(s, actor, "offer.read", "offer", None, count=len(rows))
    return rows


def compare_offer(s: Session, actor: Actor, offer_id: int, competing_id: int,
                  years: int = 4) -> dict[str, Any]:
    """Our offer against a competing offer, year by year (stored on the offer)."""
    offer = _offer(s, actor, offer_id, Op.OFFER_BUILD)
    theirs = _competing(s, competing_id)
    if theirs.candidate_id != offer.candidate_id:
        raise OpsInputError(f"competing offer #{competing_id} is for another person than "
                            f"offer #{offer_id}")
    result = comp.compare(package_from_json(offer.package), package_from_json(theirs.package),
                          check_years(years))
    margin = Decimal(str(get_setting(s, "offer")["beat_margin_pct"])) / 100
    data = jsonable(result.as_dict())
    data["beats_by_margin"] = result.beats(margin)
    data["margin_pct"] = float(margin * 100)
    data["company"] = theirs.company
    offer.comparison, offer.competing_offer_id = data, theirs.id
    audit.record(s, actor, "offer.compare", "offer", offer.id, competing_offer_id=theirs.id,
                 beats=data["beats_by_margin"])
    return data


def approve_offer(s: Session, actor: Actor, offer_id: int, decision: str = "approved",
                  note: str | None = None) -> Approval:
    """An executive's decision, kept as a record; approval moves the candidate to 'offer'."""
    offer = _offer(s, actor, offer_id, Op.OFFER_APPROVE)
    decision = {"approve": "approved", "reject": "rejected"}.get(decision, decision)
    if decision not in DECISIONS:
        raise OpsInputError(f"decision {decision!r}: use approved or rejected")
    if offer.status != "pending_approval":
        raise OpsInputError(f"offer #{offer.id} is {offer.status}, not waiting for approval")
    kind = "exception" if offer.needs_exception else "offer"
    approval = Approval(object_type="offer", object_id=offer.id, kind=kind, decision=decision,
                        approver_id=actor.user_id, approver_role=actor.role.value, note=note,
                        at=utcnow())
    s.add(approval)
    offer.status = decision
    if decision == "approved":
        cand = require_candidate_access(s, actor, offer.candidate_id, Op.OFFER_VIEW)
        if cand.stage not in ("offer", "accepted", "hired"):
            set_stage(s, actor, cand, "offer")
    s.flush()
    audit.record(s, actor, f"offer.{decision}", "offer", offer.id, kind=kind,
                 approval_id=approval.id)
    return approval


OUTCOMES = {"accepted": "accepted", "declined": "declined", "withdrawn": "withdrawn"}


def record_outcome(s: Session, actor: Actor, offer_id: int, outcome: str,
                   note: str | None = None) -> Offer:
    """The candidate's answer to an approved offer; moves their pipeline stage along."""
    offer = _offer(s, actor, offer_id, Op.OFFER_BUILD)
    outcome = outcome.strip().lower()
    if outcome not in OUTCOMES:
        raise OpsInputError(f"outcome {outcome!r}: use one of {', '.join(OUTCOMES)}")
    if offer.status != "approved":
        raise OpsInputError(f"offer #{offer.id} is {offer.status}; only an approved offer can "
                            "be accepted, declined or withdrawn")
    offer.status = outcome
    cand = require_candidate_access(s, actor, offer.candidate_id, Op.OFFER_VIEW)
    if cand.stage != OUTCOMES[outcome] and cand.stage != "hired":
        set_stage(s, actor, cand, OUTCOMES[outcome], note)
    s.flush()
    audit.record(s, actor, f"offer.{outcome}", "offer", offer.id, candidate_id=cand.id)
    return offer

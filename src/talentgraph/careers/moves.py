"""Moves between spells: who went from where to where, when, of what kind, on what evidence.

The corroboration rule (why): one record can be wrong in many ways (a mis-aligned author list, a
stale profile, a merged namesake), so a move needs BOTH sides corroborated: each side has >= 2
independent records (distinct papers; distinct profile snapshots) or one strong record (the paper
itself attributes a single organisation to the author). A lone record elsewhere is shown in the
person's timeline but makes no move. Dual affiliations make no move; lag records make no return.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from talentgraph.careers.timelines import Obs, Spell

INDUSTRY_KINDS = ("industry_lab", "startup", "company")
KINDS = ("job_change", "graduation_hire", "internship", "return")
# Kinds that are a departure from the old organisation (an internship is not).
DEPARTURE_KINDS = ("job_change", "graduation_hire", "return")


@dataclass
class Move:
    person_id: str
    from_org_id: str
    to_org_id: str
    last_year_at_from: int
    first_year_at_to: int
    kind: str
    confidence: float
    rule: str
    from_obs: list[Obs] = field(default_factory=list)
    to_obs: list[Obs] = field(default_factory=list)
    lag_obs: list[Obs] = field(default_factory=list)

    @property
    def move_id(self) -> str:
        raw = f"{self.person_id}|{self.from_org_id}|{self.to_org_id}|{self.first_year_at_to}|" \
              f"{self.kind}"
        return hashlib.md5(raw.encode()).hexdigest()[:16]

    def summary(self) -> str:
        def side(obs: list[Obs]) -> str:
            n_paper = len({o.key for o in obs if o.evidence == "paper"})
            n_prof = len({o.key for o in obs if o.evidence == "profile"})
            n_set = len({o.key for o in obs if o.evidence == "paper_set"})
            parts = [f"{n} {what}" for n, what in ((n_paper, "paper"), (n_prof, "profile"),
                                                   (n_set, "paper-set")) if n]
            return ", ".join(parts) or "none"
        text = f"from: {side(self.from_obs)}; to: {side(self.to_obs)}"
        if self.lag_obs:
            text += f"; {len({o.key for o in self.lag_obs})} lag record(s) at the old place"
        return text


def _side_rule(s: Spell) -> str:
    if any(o.strong for o in s.obs):
        return "strong"
    return f"{len(s.keys)} records"


def _first_role(s: Spell) -> str | None:
    kinds = s.role_kinds_by_year()
    return kinds[0][1] if kinds else None


def _last_role(s: Spell) -> str | None:
    kinds = s.role_kinds_by_year()
    return kinds[-1][1] if kinds else None


ROLE_RANK = {"student": 1, "intern": 1, "postdoc": 2, "staff": 3, "faculty": 3}


def _corroboration(a: Spell, b: Spell) -> str | None:
    """Which rule lets a move from spell a to spell b be called, or None.

    1. both sides corroborated: >= 2 independent records or one strong attributed record;
    2. otherwise a side may rest on ONE profile record whose paper checks out (its coauthors'
       affiliations agree with their other records), but only when the roles read as a career
       (no faculty -> student) and the other side is corroborated or checks out the same way.
    """
    if a.corroborated and b.corroborated:
        return f"from {_side_rule(a)}; to {_side_rule(b)}"
    a_ok = a.corroborated or any(o.verified for o in a.obs)
    b_ok = b.corroborated or any(o.verified for o in b.obs)
    if not (a_ok and b_ok):
        return None
    last, first = _last_role(a), _first_role(b)
    if last and first and ROLE_RANK.get(first, 3) < ROLE_RANK.get(last, 3):
        return None
    return f"from {_side_text(a)}; to {_side_text(b)}"


def _side_text(s: Spell) -> str:
    return _side_rule(s) if s.corroborated else "1 checked profile record"


def _confidence(a: Spell, b: Spell, rule: str = "") -> float:
    c = min(a.confidence, b.confidence)
    if "checked profile" in rule:
        c *= 0.9  # rests on one record on a side
    sides = a.obs + b.obs
    if all(o.evidence == "profile" for o in sides):
        c *= 0.85  # profile affiliations date the move only roughly
    if b.start_year - a.end_year > 3:
        c *= 0.9  # a long unseen gap: there may be a stop in between
    if a.lag_obs:
        c *= 0.97
    return round(c, 3)


def detect_moves(person_id: str, spells: list[Spell], dual: set[frozenset[str]],
                 org_kind: dict[str, str]) -> list[Move]:
    """Moves of one person from their spells (see the module docstring for the rules)."""
    home = [s for s in spells if s.kind == "home"]
    moves: list[Move] = []
    for b in home:
        preds = [a for a in home if a.org_id != b.org_id
                 and frozenset((a.org_id, b.org_id)) not in dual
                 and a.start_year < b.start_year and a.end_year <= b.start_year]
        if not preds:
            continue
        a = max(preds, key=lambda s: (s.end_year, s.confidence, s.org_id))
        # B joined while the person already held another, newer position C: B is an addition.
        if any(c.org_id not in (a.org_id, b.org_id) and a.end_year <= c.start_year < b.start_year
               and c.end_year > b.start_year for c in home):
            continue
        rule = _corroboration(a, b)
        if rule is None:
            continue
        if any(s.org_id == b.org_id and s.end_year < a.start_year for s in home):
            kind = "return"
        elif _last_role(a) == "student" and _first_role(b) != "student" and (
                _first_role(b) in ("staff", "postdoc", "faculty")
                or org_kind.get(b.org_id) in INDUSTRY_KINDS):
            kind = "graduation_hire"
        else:
            kind = "job_change"
        moves.append(Move(person_id, a.org_id, b.org_id, a.end_year, b.start_year, kind,
                          _confidence(a, b, rule), rule,
                          list(a.obs), list(b.obs), list(a.lag_obs)))

    for i in (s for s in spells if s.kind == "internship"):
        # An internship is taken from a student's (or unknown-role) home, never a senior one's.
        hosts = [h for h in home if h.org_id != i.org_id and h.start_year <= i.start_year
                 <= h.end_year + 1 and h.corroborated
                 and not ({k for _, k in h.role_kinds_by_year()} - {"student", "intern"})]
        if not hosts:
            continue
        h = max(hosts, key=lambda s: (s.confidence, s.end_year, s.org_id))
        moves.append(Move(person_id, h.org_id, i.org_id, i.start_year, i.start_year,
                          "internship", round(min(h.confidence, i.confidence) * 0.8, 3),
                          f"home {_side_rule(h)}; explicit intern role",
                          list(h.obs), list(i.obs)))
    return moves

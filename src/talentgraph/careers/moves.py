"""Moves between spells: who went from where to where, when, of what kind, on what evidence.

The corroboration rule (why): one record can be wrong in many ways (a mis-aligned author list, a
stale profile, a merged namesake), so a move needs BOTH sides corroborated: each side has >= 2
independent records (distinct papers; distinct profile snapshots) or one strong record (the paper
itself attributes a single organisation to the author). Dual affiliations make no move; lag
records make no return. Two narrower rules let a side rest on ONE OpenReview-profile record that
its coauthors do not contradict, but only when the roles read as a career step (see
`_corroboration` and `_both_single`). Rule 4 lets one side rest on ONE paper-attributed record
(below the strong weight because the people or organisations stage was less than sure) when the
other side is corroborated and the record lies outside its years. Such moves carry a lower
confidence and say so in `rule`. Records at the same employer under a linked name (Google Brain
and Google DeepMind, a lab and its parent) in a side's own years count towards corroborating
that side (`_with_linked`), but not for its roles, nor a name held together with the other side.

One departure per arrival: the latest place the person was seen before it that passes the rules
— and, besides it, any place held together with it (a university and its institute, >=
DUAL_PARTNER_MIN_RECORDS records of its own) and left the same year: leaving both is two
departures. A place taken after the old one and still held (or held together with the new one)
when the new one starts is what the old one was left for: the new one is an addition.

Guards: a one-record side at a time the person is corroborated at another place (not one held
with it) is a second affiliation, a mis-aligned record or a namesake's paper, and makes no move
under any rule; so is a one-record side inside the person's time at the other side's place (the
old place still seen in or after the year of the lone new record, `_lone_inside`). Merged
namesakes look like moves: a move whose new place is seen while the old one goes on, a
return in a year the person is still seen at the place left, a move that rests on one paper
record after a long unseen gap, or one between places whose records lie in different fields
(vision at one, language at the other: `VENUE_FIELDS`), must show that its two sides are one
person (a shared coauthor, author id or title topic; see careers.stage) or it is dropped —
the last two not under a name few could hold (careers.namesakes); so
must every move of a person whose name many OpenReview profiles share (careers.stage). Measured
precision by rule: benchmarks/moves.py and tests/data/moves_spotcheck.csv.

Window: last year seen at the old place, first year seen at the new one. After a transition (a
paper listing both places, the old one never seen again), the two may overlap, so
last_year_at_from can exceed first_year_at_to by the overlap (a handful of moves).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

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
    # Set when the move stands only if its two sides are shown to be one person (a shared
    # coauthor, author id or topic): (records at the old place, records at the new place).
    link_check: tuple[list[Obs], list[Obs]] | None = None

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
            n_pos = len({o.key for o in obs if o.evidence == "position"})
            parts = [f"{n} {what}" for n, what in ((n_paper, "paper"), (n_prof, "profile"),
                                                   (n_set, "paper-set"), (n_pos, "position"))
                     if n]
            return ", ".join(parts) or "none"
        text = f"from: {side(self.from_obs)}; to: {side(self.to_obs)}"
        if self.lag_obs:
            text += f"; {len({o.key for o in self.lag_obs})} lag record(s) at the old place"
        return text


def _side_rule(s: Spell) -> str:
    if any(o.strong for o in s.obs):
        return "strong"
    return f"{len(s.keys)} records"


def _dated(s: Spell) -> bool:
    """The spell rests on a dated position (a source's start and end), not on papers."""
    return any(o.evidence == "position" and o.strong for o in s.obs)


def _first_role(s: Spell) -> str | None:
    kinds = s.role_kinds_by_year()
    return kinds[0][1] if kinds else None


def _last_role(s: Spell) -> str | None:
    kinds = s.role_kinds_by_year()
    return kinds[-1][1] if kinds else None


ROLE_RANK = {"student": 1, "intern": 1, "postdoc": 2, "staff": 3, "faculty": 3}


def role_rank(role: str | None) -> float | None:
    """A coarse career ladder read from role text: undergrad 0, master's 1, PhD 2, postdoc 3,
    staff / assistant professor 4, associate 4.1, full professor 4.2. None when unknown."""
    if not role:
        return None
    r = role.lower().split("+")[0]
    if "intern" in r:
        return 1.0
    if "undergrad" in r or "bachelor" in r:
        return 0.0
    if "master" in r or "ms student" in r or "msc" in r:
        return 1.0
    if "phd" in r or "doctoral" in r or "ph.d" in r:
        return 2.0
    if "student" in r:
        return 1.0
    if "postdoc" in r or "post-doc" in r or "post doc" in r:
        return 3.0
    if "associate professor" in r or "senior lecturer" in r:
        return 4.1
    if "assistant professor" in r or "lecturer" in r or "instructor" in r:
        return 4.0
    if "professor" in r or "chair" in r:
        return 4.2
    return 4.0


# A paper record attributing one organisation to its author (the proceedings' own affiliation
# line), even below STRONG_WEIGHT because the people or organisations stage was less than sure,
# is good evidence of where someone was; a side may rest on one such record (rule 4).
SINGLE_PAPER_MIN_WEIGHT = 0.4
# Rule 2 on the same rung (researcher -> researcher) needs this many records at the old place.
SAME_RUNG_MIN_RECORDS = 2
# Roles at or below this rung (undergrad, master's student, intern: role_rank) are a trainee's.
TRAINEE_RANK = 1.0
PHD_RANK = 2.0
# A PhD student's role this many years after the person was first seen elsewhere is rarely
# the person's own on a one-record side (rule 2, roles unknown on the other side).
MAX_STUDY_YEARS = 6
# Rule-4 moves whose unseen gap is longer than this need the namesake check (see stage): 4
# years when the other side has >= 2 records, 2 when it is one strong record too.
LINK_FREE_GAP = 4
# A second place held together with the one left (a university and its institute) is a second
# departure only when it rests on this many independent records of its own: a lone record
# named beside the main place is a passing affiliation, not a job left.
DUAL_PARTNER_MIN_RECORDS = 3
LINK_FREE_GAP_ONE_EACH = 2


def _single_paper(s: Spell, from_side: bool) -> bool:
    """One independent record, attributed by the paper itself to this author: one
    organisation, or two on the side being left (the person left both)."""
    return len(s.keys) == 1 and all(
        o.evidence == "paper" and o.weight >= SINGLE_PAPER_MIN_WEIGHT
        and (o.n_orgs == 1 or (from_side and o.n_orgs == 2)) for o in s.obs)


def _unexplained(single: Spell, others: list[Spell],
                 linked: set[frozenset[str]] | None = None) -> bool:
    """A lone record at a time the person is known, with corroboration, to be at another
    place is a second affiliation, a mis-aligned record or a namesake's paper: no side. A
    place held together with the record's own organisation (dual, or the same employer under
    another name) explains nothing away."""
    y = single.start_year
    linked = linked or set()
    return not any(c.corroborated and c.start_year <= y <= c.end_year
                   and frozenset((c.org_id, single.org_id)) not in linked for c in others)


def _corroboration(a: Spell, b: Spell, others: list[Spell] | None = None,
                   linked: set[frozenset[str]] | None = None) -> str | None:
    """Which rule lets a move from spell a to spell b be called, or None.

    1. both sides corroborated: >= 2 independent records or one strong attributed record;
    2. otherwise ONE side may rest on a single OpenReview-profile record (not suspect: its
       paper's other authors do not contradict it), when the other side is corroborated, the
       single record lies strictly outside the other side's years, and the roles read as a
       career: a step up the ladder (undergrad -> PhD -> postdoc -> faculty or staff), or — for
       a new-place record checked against its coauthors (`aligned`), after >=
       SAME_RUNG_MIN_RECORDS records at the old place — the same rung (researcher ->
       researcher). Mis-aligned profile records mostly read as a step down (professor -> PhD
       student, full -> assistant professor) or as a jump no career makes in two years
       (assistant -> full professor elsewhere): those need rule 1. Where either side has no
       role to read, an `aligned` record beside >= SAME_RUNG_MIN_RECORDS records at the
       other place is taken (nothing reads as a step down).
    """
    others = others or []
    if a.corroborated and b.corroborated:
        # A side that is one (strong) record at a time the person is known to be elsewhere is
        # a second affiliation or a mis-aligned record, not a place the person moved from/to.
        # A dated position (careers.position_obs) is no lone record: its dates say when.
        if any(len(x.keys) == 1 and not _dated(x) and not _unexplained(x, others, linked)
               for x in (a, b)):
            return None
        return f"from {_side_rule(a)}; to {_side_rule(b)}"
    # 4. one side is ONE record attributed by a paper, strictly outside the other side's years
    #    and at a time the person is not known to be elsewhere.
    if (a.corroborated and b.start_year > a.end_year and _single_paper(b, from_side=False)
            and _unexplained(b, others, linked)):
        return f"from {_side_rule(a)}; to 1 paper record"
    if (b.corroborated and a.end_year < b.start_year and _single_paper(a, from_side=True)
            and _unexplained(a, others, linked)):
        return f"from 1 paper record; to {_side_rule(b)}"
    if not (a.corroborated or b.corroborated):
        return _both_single(a, b)
    weak, other = (b, a) if a.corroborated else (a, b)
    # An `own` record (its paper's other slots do not check out, but no coauthor holds its
    # place) is taken only under rule 3's single plausible step, not the wider steps here,
    # unless the same snapshot also shows the place on a record that checks out.
    if any(o.evidence != "profile" for o in weak.obs) or any(
            o.alignment == "suspect" for o in weak.obs) or all(
            o.alignment == "own" for o in weak.obs):
        return None
    if (weak is b and b.start_year <= a.end_year) or (weak is a and a.end_year >= b.start_year):
        return None
    ra, rb = a.roles_by_year(), b.roles_by_year()
    last, first = (role_rank(ra[-1][1]) if ra else None), (role_rank(rb[0][1]) if rb else None)
    if last is None or first is None:
        # No role to read a step from (profiles before 2021 carry none): a record its
        # coauthors check out, beside a place the person is seen at in >= 2 records. Not when
        # the lone record's own role is a trainee's (student, intern: a coauthor's role on a
        # mis-aligned record, or an internship, far more often than a move), nor a PhD
        # student's more than MAX_STUDY_YEARS after the person was first seen at the old place
        # (a coauthor's role, or a namesake), nor when it falls in a time the person is seen,
        # with corroboration, at a third place (as rules 1 and 4 refuse: a second
        # affiliation or a mis-aligned record). Spot check seed 101 in benchmarks/moves.py.
        weak_ranks = [r for _, role in weak.roles_by_year() if (r := role_rank(role)) is not None]
        late_student = (weak is b and any(r <= PHD_RANK for r in weak_ranks)
                        and b.start_year - a.start_year > MAX_STUDY_YEARS)
        if (all(o.alignment == "aligned" for o in weak.obs)
                and len(other.keys) >= SAME_RUNG_MIN_RECORDS
                and not any(r <= TRAINEE_RANK for r in weak_ranks) and not late_student
                and _unexplained(weak, others, linked)):
            lone = "1 checked profile record, role unknown"
            return (f"from {lone}; to {_side_rule(b)}" if weak is a
                    else f"from {_side_rule(a)}; to {lone}")
        return None
    if first > last and not (last >= 4.0 and first - last > 0.15):
        return f"from {_side_text(a)}; to {_side_text(b)}"
    if (first == last and last >= 3.0 and weak is b and len(other.keys) >= SAME_RUNG_MIN_RECORDS
            and all(o.alignment == "aligned" for o in weak.obs)):
        return f"from {_side_text(a)}; to {_side_text(b)}"
    return None


def _both_single(a: Spell, b: Spell) -> str | None:
    """3. one record on each side: only two OpenReview-profile records, neither contradicted
    by its coauthors (`aligned`, or `own`: no coauthor holds its organisation), years apart,
    whose roles take one plausible step up (undergrad -> PhD student, PhD student -> postdoc
    or researcher, postdoc -> assistant professor). A jump to associate or full professor
    from below is what mis-aligned records look like, not a career, and is refused."""
    if not all(o.evidence == "profile" and o.alignment in ("aligned", "own")
               for o in a.obs + b.obs):
        return None
    if b.start_year <= a.end_year:
        return None
    ra, rb = a.roles_by_year(), b.roles_by_year()
    last, first = (role_rank(ra[-1][1]) if ra else None), (role_rank(rb[0][1]) if rb else None)
    if last is None or first is None or not (last < first <= 4.0):
        return None
    return "from 1 profile record; to 1 profile record; roles step up"


def _side_text(s: Spell) -> str:
    return _side_rule(s) if s.corroborated else "1 profile record, role steps up"


def _confidence(a: Spell, b: Spell, rule: str = "") -> float:
    c = min(a.confidence, b.confidence)
    if "1 profile record" in rule or "1 paper record" in rule:
        c *= 0.9  # rests on one record on a side
    sides = a.obs + b.obs
    if all(o.evidence == "profile" for o in sides):
        c *= 0.85  # profile affiliations date the move only roughly
    if b.start_year - a.end_year > 3:
        c *= 0.9  # a long unseen gap: there may be a stop in between
    if a.lag_obs:
        c *= 0.97
    return round(c, 3)


def _with_linked(s: Spell, other: Spell, home: list[Spell], linked: frozenset[frozenset[str]],
                 dual: set[frozenset[str]]) -> Spell:
    """The spell with the records of its own years at the same employer under a linked name
    (Google Brain and Google DeepMind in one year): they corroborate it. Not those of a name
    held together with the other side of the move (a professor's Max Planck institute does not
    make "Max Planck Society" a place they moved to). They add records, not roles: the
    career step a side reads as is its own. Its place and years are unchanged; so is the
    spell when there are no such records."""
    extra = [replace(o, role=None, role_kind=None) for t in home
             if t is not s and frozenset((t.org_id, s.org_id)) in linked
             and frozenset((t.org_id, other.org_id)) not in dual
             for o in t.obs if s.start_year <= o.year <= s.end_year]
    if not extra:
        return s
    return Spell(s.person_id, s.org_id, s.start_year, s.end_year, s.kind, s.obs + extra,
                 s.lag_obs)


def _lone_inside(a: Spell, b: Spell, home: list[Spell]) -> bool:
    """A side resting on one record that falls inside the person's time at the other side's
    place — the old place still seen at or after the lone new record (a visit, a coauthor's
    affiliation on a mis-aligned record, a namesake's paper), or the new place already seen at
    or before the lone old record — is no move, under any rule."""
    # A dated position is no lone record: its start and end say when (overlapping the other
    # place by a few months, in the same calendar year, is a move).
    if len(b.keys) == 1 and not _dated(b) and any(o.year >= b.start_year for s in home
                                                  if s.org_id == a.org_id for o in s.obs):
        return True
    return len(a.keys) == 1 and not _dated(a) and any(o.year <= a.end_year for s in home
                                                      if s.org_id == b.org_id for o in s.obs)


# An unattributed affiliation set of at most this many organisations on the person's own paper
# names the person's place about as often as a coauthor's.
SMALL_SET_ORGS = 2


def set_years_of(obs: list[Obs]) -> dict[str, set[int]]:
    """{org_id: years} of the person's unattributed small affiliation sets (`set_years`)."""
    out: dict[str, set[int]] = {}
    for o in obs:
        if o.evidence == "paper_set" and o.n_orgs <= SMALL_SET_ORGS:
            out.setdefault(o.org_id, set()).add(o.year)
    return out


def _set_inside(a: Spell, b: Spell, set_years: dict[str, set[int]]) -> bool:
    """A new place resting on one record, in a year or after it the old place is still named
    in a small affiliation set of the person's own paper that does not name the new place (a
    student's internship, a visit): no move. Such sets are too weak to make a side, but
    they do say the old place had not been left."""
    if len(b.keys) != 1 or _dated(b):
        return False
    new_years = set_years.get(b.org_id, set())
    return any(y >= b.start_year and y not in new_years for y in set_years.get(a.org_id, ()))


# The research field a venue's records speak for; venues of machine learning and AI at large
# (NeurIPS, ICML, ICLR, AAAI...) are in none: anyone publishes there.
VENUE_FIELDS = {
    "cvpr": "vision", "iccv": "vision", "eccv": "vision", "wacv": "vision", "3dv": "vision",
    "siggraph": "vision", "siggraphasia": "vision", "acmmm": "vision",
    "acl": "language", "emnlp": "language", "naacl": "language", "coling": "language",
    "icra": "robotics", "iros": "robotics", "rss": "robotics", "corl": "robotics",
    "colt": "theory", "alt": "theory", "kdd": "data", "www": "data",
}


def venue_field(source_file: str) -> str | None:
    """The field of a record's venue ("cvpr2019.json.gz" -> "vision"); None for general ones."""
    return VENUE_FIELDS.get(source_file.split(".")[0].rstrip("0123456789"))


def _fields(org_id: str, home: list[Spell]) -> set[str]:
    return {f for s in home if s.org_id == org_id for o in s.obs
            if (f := venue_field(o.source_file)) is not None}


def _needs_link(a: Spell, b: Spell, rule: str, home: list[Spell],
                rare_name: bool = False) -> bool:
    """Whether a move must show that its two sides are one person (merged namesakes look like
    moves): when the person is seen at the new place while still at the old one (two careers
    side by side), when one side is a single paper record after a long unseen gap, or when
    the two places' records lie in different fields (image processing at one university,
    legal NLP at the next: two people of one name far more often than a change of field).
    Under a rare name (careers.namesakes) the last two read as one person: few others could
    hold the name. Two careers side by side may be a dual affiliation as well as namesakes,
    so they ask for the link under any name."""
    fa, fb = _fields(a.org_id, home), _fields(b.org_id, home)
    if fa and fb and not fa & fb and not rare_name:
        return True
    if "1 paper record" in rule and not rare_name:
        # The other side may itself be one strong record: then two lone records make the move,
        # and only a short gap keeps a namesake unlikely.
        other = b if rule.startswith("from 1 paper record") else a
        free = LINK_FREE_GAP if len(other.keys) >= 2 else LINK_FREE_GAP_ONE_EACH
        if b.start_year - a.end_year > free:
            return True
    at_b = [o.year for s in home if s.org_id == b.org_id for o in s.obs]
    at_a = [o.year for s in home if s.org_id == a.org_id for o in s.obs]
    return (any(a.start_year <= y < a.end_year for y in at_b)
            or any(b.start_year < y <= b.end_year for y in at_a))


def detect_moves(person_id: str, spells: list[Spell], dual: set[frozenset[str]],
                 org_kind: dict[str, str],
                 transitions: set[frozenset[str]] | None = None,
                 linked: frozenset[frozenset[str]] = frozenset(),
                 common_name: bool = False, rare_name: bool = False,
                 set_years: dict[str, set[int]] | None = None) -> list[Move]:
    """Moves of one person from their spells (see the module docstring for the rules).
    `linked`: pairs naming one employer (successors, parents, curated links); `common_name`:
    many people carry the person's name, so every move must show one person; `rare_name`:
    few could (careers.namesakes), so a long gap or a change of field needs no link;
    `set_years`: the years each organisation is named in the small affiliation set
    (SMALL_SET_ORGS) of one of the person's papers with no attribution (see `_set_inside`)."""
    transitions = transitions or set()
    set_years = set_years or {}
    home = [s for s in spells if s.kind == "home"]
    moves: list[Move] = []
    for b in home:
        def follows(a: Spell, b: Spell = b) -> bool:
            if a.org_id == b.org_id or frozenset((a.org_id, b.org_id)) in dual:
                return False
            if frozenset((a.org_id, b.org_id)) in transitions:
                return a.start_year < b.start_year and a.end_year < b.end_year
            return a.start_year < b.start_year and a.end_year <= b.start_year

        preds = sorted((a for a in home if follows(a)),
                       key=lambda s: (s.end_year, s.confidence, s.org_id), reverse=True)
        left: Spell | None = None  # the place the person left for b, once found
        for a in preds:
            if left is not None and not (
                    a.end_year == left.end_year and len(a.keys) >= DUAL_PARTNER_MIN_RECORDS
                    and frozenset((a.org_id, left.org_id)) in dual
                    and frozenset((a.org_id, left.org_id)) not in linked):
                break
            # B joined while the person already held a position C taken after A's start and
            # still held (or held together with B): B is an addition to C (a professor at C
            # who also joins a company), and A was left for C, not for B.
            if any(c.org_id not in (a.org_id, b.org_id)
                   and a.start_year < c.start_year < b.start_year
                   and (c.end_year > b.start_year or c.end_year == b.start_year
                        and frozenset((c.org_id, b.org_id)) in dual) for c in home):
                break
            rule = _corroboration(_with_linked(a, b, home, linked, dual),
                                  _with_linked(b, a, home, linked, dual),
                                  [s for s in home if s.org_id not in (a.org_id, b.org_id)],
                                  dual)
            if rule is None or _lone_inside(a, b, home) or _set_inside(a, b, set_years):
                continue  # try the next-latest place the person was seen before
            if any(s.org_id == b.org_id and s.end_year < a.start_year for s in home):
                kind = "return"
            elif _last_role(a) == "student" and _first_role(b) != "student" and (
                    _first_role(b) in ("staff", "postdoc", "faculty")
                    or org_kind.get(b.org_id) in INDUSTRY_KINDS):
                kind = "graduation_hire"
            else:
                kind = "job_change"
            move = Move(person_id, a.org_id, b.org_id, a.end_year, b.start_year, kind,
                        _confidence(a, b, rule), rule, list(a.obs), list(b.obs),
                        list(a.lag_obs))
            # A return in a year the person is still seen at the place left: two careers
            # interleaved (namesakes) as often as a move; it must show one person too.
            if common_name or _needs_link(a, b, rule, home, rare_name) or (
                    kind == "return" and a.end_year >= b.start_year):
                move.link_check = (
                    [o for s in home if s.org_id == a.org_id for o in s.obs + s.lag_obs],
                    [o for s in home if s.org_id == b.org_id for o in s.obs + s.lag_obs])
            moves.append(move)
            # Two places held together (a professor's university and institute) and left
            # together are two departures: go on only through those.
            left = a

    # One departure reaching the same employer under two names (DeepMind, then Google
    # DeepMind after the rename) is one move: the first.
    moves.sort(key=lambda m: (m.first_year_at_to, m.to_org_id))
    kept: list[Move] = []
    for m in moves:
        if not any(k.from_org_id == m.from_org_id and k.kind == m.kind
                   and frozenset((k.to_org_id, m.to_org_id)) in linked for k in kept):
            kept.append(m)
    moves = kept

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

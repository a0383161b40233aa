"""Per-person timelines: affiliation observations -> spells (with lag and dual affiliations).

The rules, in the order they are applied to one person's observations:
0. Organisations of the person that are one organisation under two generated ids (spelling
   variants of the long tail, or a former name in ROR: see `merge_same_orgs`) are read as one.
1. Observations lighter than `MIN_WEIGHT` (an unattributed multi-organisation set) are kept for
   display only. Intern / visitor observations make `internship` spells that never end the
   home spell they fall in.
2. Dual affiliations: organisations named together on one mention (a professor who is also at a
   lab), or in one OpenReview profile snapshot (one file), are concurrent, never a move —
   unless the old one is never seen again after the joint record while the new one goes on
   (a paper written during the move lists both): that is a transition, and may be a move. One
   later record at the old place the next year, while the new one is seen that year (rule 4's
   lag), does not undo a transition — unless one of the two is an institute or a government
   lab, often held together with a university for years (a joint lab).
3. Stale profile entries: an OpenReview profile snapshot can surface an entry from the
   profile's history (a "PhD student" or "Intern" line on a 2024 paper of a full professor). A
   profile record with a student or intern role, while the same person has a faculty or postdoc
   record at that year or before, is kept for display (`stale`) but shapes nothing.
4. Lag: once a new organisation B has appeared, a single later record (one paper, or one profile
   snapshot) still showing the old organisation A while B goes on is publication lag: it is kept
   as evidence (`lag`) but does not stretch A's spell nor make a return.
5. Spells: an organisation's remaining observations form one spell, split in two when another,
   non-dual organisation is seen in >= 2 independent records strictly between two of them (the
   person went away and came back: a return). One record elsewhere, however clearly attributed,
   inside a span at one place is a visit, a second affiliation or a mis-aligned record (a
   professor's single paper "at" a coauthor's university), not two moves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from talentgraph.careers.observations import MIN_WEIGHT, STRONG_WEIGHT
from talentgraph.careers.org_names import OrgNames
from talentgraph.resolve.orgs.same import same_organisation

# Away kinds make `internship` spells that never end a home spell: an intern or a visitor; a
# dated position as adviser, board member, volunteer or affiliate (careers.position_obs) makes
# an `affiliate` spell, by the same rule.
AWAY_KINDS = ("intern", "visitor", "affiliate")
SENIOR_KINDS = ("faculty", "postdoc")
JUNIOR_KINDS = ("student", "intern")


def _stale(o: Obs, first_senior: int | None) -> bool:
    """Rule 3: a junior role surfaced by a profile after the person was already senior."""
    return (o.evidence == "profile" and o.role_kind in JUNIOR_KINDS
            and first_senior is not None and first_senior <= o.year)


@dataclass
class Obs:
    paper_id: str
    position: int
    year: int  # effective year (see observations.dating)
    org_id: str
    weight: float
    evidence: str  # paper | profile | paper_set | position
    key: str  # independent-record key: the paper, or the profile snapshot (file)
    role: str | None
    role_kind: str | None
    n_orgs: int
    source_file: str
    record_id: str
    alignment: str | None = None  # profile records: aligned | own | suspect | unchecked
    lag: bool = False

    @property
    def verified(self) -> bool:
        """A profile record whose paper's other authors check out (see observations)."""
        return self.evidence == "profile" and self.alignment == "aligned"

    @property
    def strong(self) -> bool:
        """One attributed record enough on its own: a paper naming one organisation for the
        author, or a dated position linked by an id or by the organisation in the person's
        papers (careers.position_obs gives those weight 1.0, a name-only link less)."""
        return self.evidence in ("paper", "position") and self.n_orgs == 1 \
            and self.weight >= STRONG_WEIGHT


@dataclass
class Spell:
    person_id: str
    org_id: str
    start_year: int
    end_year: int
    kind: str  # home | internship
    obs: list[Obs] = field(default_factory=list)
    lag_obs: list[Obs] = field(default_factory=list)

    @property
    def keys(self) -> set[str]:
        return {o.key for o in self.obs}

    @property
    def corroborated(self) -> bool:
        """>= 2 independent records of which at least one attributes the organisation to the
        person (unattributed paper sets only add weight), or one strong attributed record."""
        return (len(self.keys) >= 2 and any(o.evidence != "paper_set" for o in self.obs)) or any(
            o.strong for o in self.obs)

    @property
    def confidence(self) -> float:
        """Noisy-or of the independent records' weights (each record counted once)."""
        best: dict[str, float] = {}
        for o in self.obs:
            best[o.key] = max(best.get(o.key, 0.0), o.weight)
        miss = 1.0
        for w in best.values():
            miss *= 1.0 - min(w, 0.99)
        return round(1.0 - miss, 3)

    def roles(self) -> list[str]:
        return sorted({o.role for o in self.obs if o.role})

    def role_kinds_by_year(self) -> list[tuple[int, str]]:
        return sorted((o.year, o.role_kind) for o in self.obs if o.role_kind)

    def roles_by_year(self) -> list[tuple[int, str]]:
        return sorted((o.year, o.role) for o in self.obs if o.role)


# Kinds of organisation commonly held together with a university for years (a joint lab, a
# national research centre): a later record at either keeps such a pair dual, lag or not.
JOINT_LAB_KINDS = ("institute", "government")


def dual_pairs(obs: list[Obs], org_kind: dict[str, str] | None = None
               ) -> tuple[set[frozenset[str]], set[frozenset[str]]]:
    """(dual, transitions): organisation pairs held together — named on one mention, or in one
    profile snapshot — split into real dual affiliations and transitions. A pair is a
    transition when, at every year it is named together, one of the two is never seen again
    while the other goes on (a paper written while moving lists the old and the new place);
    one lag record at the old place (`_last_but_lag`) does not count as seen again, unless
    either place is of a JOINT_LAB_KINDS kind."""
    org_kind = org_kind or {}
    groups: dict[tuple, set[str]] = defaultdict(set)
    year_of: dict[tuple, int] = {}
    for o in obs:
        groups[("m", o.paper_id, o.position)].add(o.org_id)
        year_of[("m", o.paper_id, o.position)] = o.year
        if o.evidence == "profile":
            groups[("p", o.source_file, o.year)].add(o.org_id)
            year_of[("p", o.source_file, o.year)] = o.year
    joint: dict[frozenset[str], set[int]] = defaultdict(set)
    for g, orgs in groups.items():
        if len(orgs) > 1:
            ordered = sorted(orgs)
            for i, a in enumerate(ordered):
                for b in ordered[i + 1:]:
                    joint[frozenset((a, b))].add(year_of[g])
    dual: set[frozenset[str]] = set()
    transitions: set[frozenset[str]] = set()
    for pair, years in joint.items():
        a, b = sorted(pair)
        lag_ok = not any(org_kind.get(x) in JOINT_LAB_KINDS for x in pair)
        la, lb = (_last_but_lag(obs, x, y, max(years), lag_ok) for x, y in ((a, b), (b, a)))
        if all(la <= y < lb or lb <= y < la for y in years):
            transitions.add(pair)
        else:
            dual.add(pair)
    return dual, transitions


LAG_YEARS = 1  # publication lag: an old-place record may still appear the year after the move


def _last_but_lag(obs: list[Obs], org: str, other: str, joint_year: int,
                  lag_ok: bool = True) -> int:
    """The last year `org` is seen, not counting ONE later record (one paper, or one profile
    snapshot) within LAG_YEARS of the joint record, in a year the other place is seen too:
    publication lag (rule 4), which must not turn the paper written during a move into a dual
    affiliation. (A later record in a year the other place is NOT seen, or years later, is
    the person still at both: a joint lab, an institute and its university.)"""
    mine = [o.year for o in obs if o.org_id == org]
    later = [o for o in obs if o.org_id == org and o.year > joint_year]
    if lag_ok and len({o.key for o in later}) == 1:
        y = later[0].year
        if y - joint_year <= LAG_YEARS and any(o.org_id == other and o.year == y for o in obs):
            return max((x for x in mine if x <= joint_year), default=joint_year)
    return max(mine, default=joint_year)


def _mark_lag(by_org: dict[str, list[Obs]], dual: set[frozenset[str]]) -> None:
    """Rule 4: a lone old-affiliation record after the new one appeared (and while it goes on)."""
    first = {org: min(o.year for o in obs) for org, obs in by_org.items()}
    last = {org: max(o.year for o in obs) for org, obs in by_org.items()}
    for a, a_obs in by_org.items():
        for b in by_org:
            if b == a or frozenset((a, b)) in dual or first[b] <= first[a]:
                continue
            # A dated position is never lag: its end date says how long it lasted.
            after = [o for o in a_obs if o.year > first[b] and not o.lag
                     and o.evidence != "position"]
            if not after or len({o.key for o in after}) > 1:
                continue
            if last[b] >= max(o.year for o in after):
                for o in after:
                    o.lag = True


def merge_same_orgs(obs: list[Obs], names: OrgNames) -> dict[str, str]:
    """Rule 0: the person's organisations that are one organisation under two generated ids
    ("Universidad de Sevilla" / "University of Seville", see resolve.orgs.same), or one
    organisation and its former name in ROR (careers.org_names), are read as one, the id with
    most of the person's records (a curated one first). Only this person's organisations are
    compared, and curated ones never merge with each other (the curated tables already say how
    they relate). Rewrites `obs` in place; returns {merged: kept}."""
    count: dict[str, float] = defaultdict(float)
    for o in obs:
        # Records that shape spells count most: the kept id is the one the timeline shows.
        count[o.org_id] += 1.0 if o.weight >= MIN_WEIGHT else 0.01
    if len(count) < 2:
        return {}
    order = sorted(count, key=lambda g: (not names.get(g, ((), False))[1], -count[g], g))
    kept: dict[str, str] = {}
    for i, g in enumerate(order):
        g_names, curated = names.get(g, ((g,), False))
        for h in order[:i]:
            if h in kept:
                continue
            h_names, h_curated = names.get(h, ((h,), False))
            if curated and h_curated:
                continue
            if any(same_organisation(x, y) for x in h_names for y in g_names):
                kept[g] = h
                break
    if kept:
        for o in obs:
            o.org_id = kept.get(o.org_id, o.org_id)
    return kept


def _away_long_enough(obs: list[Obs]) -> bool:
    return len({o.key for o in obs}) >= 2


def build_spells(person_id: str, obs: list[Obs], linked: frozenset[frozenset[str]] = frozenset(),
                 org_kind: dict[str, str] | None = None
                 ) -> tuple[list[Spell], set[frozenset[str]], set[frozenset[str]]]:
    """Spells of one person (home and internship) and the pairs that never make a move: dual
    affiliations, plus `linked` pairs (an organisation and its successor, e.g. DeepMind and
    Google DeepMind: the same people under a new name)."""
    senior = [o.year for o in obs if o.role_kind in SENIOR_KINDS and o.weight >= MIN_WEIGHT]
    first_senior = min(senior) if senior else None
    usable = [o for o in obs if o.weight >= MIN_WEIGHT and not _stale(o, first_senior)]
    home = [o for o in usable if o.role_kind not in AWAY_KINDS]
    away = [o for o in usable if o.role_kind in AWAY_KINDS]
    dual, transitions = dual_pairs(home, org_kind)
    orgs_here = {o.org_id for o in home}
    dual |= {p for p in linked if p <= orgs_here}
    transitions -= dual
    by_org: dict[str, list[Obs]] = defaultdict(list)
    for o in home:
        by_org[o.org_id].append(o)
    _mark_lag(by_org, dual)

    # Corroborated presence of each organisation per year, to find absences (rule 5).
    year_obs: dict[str, dict[int, list[Obs]]] = defaultdict(lambda: defaultdict(list))
    for o in home:
        if not o.lag:
            year_obs[o.org_id][o.year].append(o)

    spells: list[Spell] = []
    for org, org_obs in by_org.items():
        live = sorted((o for o in org_obs if not o.lag), key=lambda o: o.year)
        lag = [o for o in org_obs if o.lag]
        if not live:
            continue
        years = sorted({o.year for o in live})
        cuts: list[int] = []
        for y1, y2 in zip(years, years[1:], strict=False):
            if y2 - y1 < 2:
                continue
            for other, per_year in year_obs.items():
                if other == org or frozenset((org, other)) in dual:
                    continue
                between = [o for y, os_ in per_year.items() if y1 < y < y2 for o in os_]
                if between and _away_long_enough(between):
                    cuts.append(y2)
                    break
        bounds = [years[0], *cuts]
        for i, start in enumerate(bounds):
            stop = bounds[i + 1] if i + 1 < len(bounds) else 10_000
            part = [o for o in live if start <= o.year < stop]
            spell = Spell(person_id, org, part[0].year, part[-1].year, "home", part)
            spells.append(spell)
        # Lag records belong to the last spell that began before them.
        for o in lag:
            owner = [s for s in spells if s.org_id == org and s.start_year <= o.year]
            if owner:
                owner[-1].lag_obs.append(o)

    away_by: dict[str, list[Obs]] = defaultdict(list)
    for o in away:
        away_by[o.org_id].append(o)
    for org, org_obs in away_by.items():
        org_obs.sort(key=lambda o: o.year)
        # One internship spell per run of consecutive years.
        run: list[Obs] = [org_obs[0]]
        for o in org_obs[1:]:
            if o.year - run[-1].year > 1:
                spells.append(Spell(person_id, org, run[0].year, run[-1].year, "internship", run))
                run = []
            run.append(o)
        spells.append(Spell(person_id, org, run[0].year, run[-1].year, "internship", run))
    for s in spells:
        if s.kind == "internship" and all(o.role_kind == "affiliate" for o in s.obs):
            s.kind = "affiliate"

    spells.sort(key=lambda s: (s.start_year, s.end_year, s.org_id, s.kind))
    return spells, dual, transitions

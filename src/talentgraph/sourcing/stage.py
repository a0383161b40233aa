"""Career stage from all of a person's evidence: the one rule the role filter (`source --role`),
the web sourcing page, the dossier and the ranker's features use.

Evidence, in the order it is trusted:
  1. the role titles of the person's records over time, by majority among the records of their
     last RECENT_YEARS years of publications (one record is often a coauthor's title or a
     mis-aligned field, so one title never decides against several);
  2. the publication record: years active, paper count and the share of multi-author papers
     where they are the last author (the senior author in ML); a long record outweighs a
     "PhD student" title: nobody publishes 12 years or leads half of 20+ papers as a student;
  3. otherwise: "unknown", with the evidence that was there.

Stages (the values of `source --role`): phd, student (undergraduate, master's, intern),
researcher (postdoc, research scientist, engineer), senior (senior/principal researcher,
director; or a long record without a faculty title), professor (faculty titles), unknown.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

STAGES = ("phd", "student", "researcher", "senior", "professor", "unknown")

# Role strings (free text in the records) to classes, first match wins. Why this order: an
# "Assistant Professor" is a professor, a "Senior PhD student" a PhD student, a "Principal
# Research Scientist" senior.
ROLE_CLASSES: tuple[tuple[str, str], ...] = (
    ("professor", r"professor|lecturer|faculty|\bchair\b"),
    ("phd", r"ph\.?\s?d|doctoral|graduate student"),
    ("student", r"student|undergrad|\bmaster|\bms\b|\bintern"),
    ("senior", r"senior|principal|distinguished|\bstaff\b|director|\bhead\b|\blead\b|chief|\bvp\b|"
               r"vice president|manager|founder|\bcto\b|\bceo\b|partner"),
    ("researcher", r"research|scientist|postdoc|post-doc|engineer|fellow|member of technical"),
)
_COMPILED = tuple((cls, re.compile(p)) for cls, p in ROLE_CLASSES)

RECENT_YEARS = 4          # titles of the last 4 years of publications vote
MAJORITY = 0.5            # a class needs more than half of the recent titles ...
# A publication record that no student has: either many years or leading many papers.
SENIOR_YEARS, SENIOR_YEARS_PAPERS = 12, 30
# Last author of over a third of 20+ multi-author papers is a lab head's record (a PhD student
# leads few papers as last author); measured on the corpus: Chuang Gan, an assistant professor
# with 61 of 133 papers as last author, read as 'phd' at a threshold of one half because his
# students' 'PhD student' titles outvoted his own.
SENIOR_LAST_SHARE, SENIOR_LAST_PAPERS = 0.35, 20
# ... and one that only a newcomer has (not enough to say PhD student or industry: "unknown"
# without a title, but it confirms a student title).
EARLY_YEARS, EARLY_PAPERS = 5, 12
STUDENT_CLASSES = ("phd", "student")
# the coarse stage of peer comparisons (dossier percentiles) and the seniority component
COARSE = {"phd": "early", "student": "early", "researcher": "mid", "senior": "senior",
          "professor": "senior"}


def role_class(role: str | None) -> str | None:
    """The class of one free-text role title (None when empty, 'other' when unrecognised)."""
    if role is None or not role.strip():
        return None
    low = role.lower()
    for cls, pattern in _COMPILED:
        if pattern.search(low):
            return cls
    return "other"


@dataclass(frozen=True)
class Record:
    """What a person's publications say, apart from titles."""
    n_papers: int
    first_year: int | None
    last_year: int | None
    n_multi: int = 0   # papers with more than one author
    n_last: int = 0    # ... of which they are the last author

    @property
    def years_active(self) -> int:
        if self.first_year is None or self.last_year is None:
            return 0
        return self.last_year - self.first_year + 1

    @property
    def last_share(self) -> float:
        return self.n_last / self.n_multi if self.n_multi else 0.0

    def describe(self) -> str:
        span = (f" over {self.years_active} years ({self.first_year}-{self.last_year})"
                if self.years_active else "")
        share = (f", last author of {self.n_last} of {self.n_multi} multi-author papers"
                 if self.n_multi else "")
        return f"{self.n_papers} papers{span}{share}"

    def level(self) -> str | None:
        """'senior' or 'early' when the record alone says so, else None."""
        if ((self.years_active >= SENIOR_YEARS and self.n_papers >= SENIOR_YEARS_PAPERS)
                or (self.n_multi >= SENIOR_LAST_PAPERS
                    and self.last_share >= SENIOR_LAST_SHARE)):
            return "senior"
        if self.years_active <= EARLY_YEARS and self.n_papers <= EARLY_PAPERS \
                and self.last_share < 0.25:
            return "early"
        return None


@dataclass(frozen=True)
class CareerStage:
    stage: str         # one of STAGES
    decided_by: str    # 'titles' | 'record' | 'titles+record' | 'none'
    evidence: str      # in words, for the sourcer

    @property
    def coarse(self) -> str | None:
        """early / mid / senior for peer comparisons; None when unknown."""
        return COARSE.get(self.stage)


def career_stage(titles: Iterable[tuple[int, str | None]], record: Record) -> CareerStage:
    """The career stage from role titles over time `(year, title)` and the publication record.

    Says which evidence decided it, and 'unknown' when the evidence is thin or contradictory.
    """
    obs = [(y, role_class(t), t) for y, t in titles if y is not None and role_class(t)]
    last = record.last_year if record.last_year is not None else max((y for y, _, _ in obs),
                                                                         default=None)
    recent = [(y, c, t) for y, c, t in obs if last is not None and y > last - RECENT_YEARS]
    votes = Counter(c for _, c, _ in recent if c != "other")
    level = record.level()
    rec = record.describe()
    faculty = sum(1 for _, c, _ in obs if c == "professor")
    if votes:
        top, n_top = max(votes.items(), key=lambda kv: (kv[1], _PRECEDENCE[kv[0]]))
        n = sum(votes.values())
        years = sorted({y for y, c, _ in recent if c == top})
        said = (f"{n_top} of {n} role title(s) in {years[0]}-{years[-1]} say {top}"
                if len(years) > 1 else f"{n_top} of {n} role title(s) ({years[0]}) say {top}")
        example = next(t for _, c, t in sorted(recent, reverse=True) if c == top)
        said += f" (latest: '{example}')"
        if top in STUDENT_CLASSES and level == "senior":
            # a whole career outweighs student titles (often a coauthor's, or mis-aligned)
            stage = "professor" if faculty else "senior"
            why = (f"{rec}: a record no student has, over {said}"
                   + (f"; {faculty} faculty title(s) in the records" if faculty else ""))
            return CareerStage(stage, "record", why)
        if n_top / n > MAJORITY:
            both = level == "early" and top in STUDENT_CLASSES or \
                level == "senior" and top in ("senior", "professor")
            return CareerStage(top, "titles+record" if both else "titles", f"{said}; {rec}")
        # split titles: the record decides when it is clear, else unknown
        if level == "senior":
            stage = "professor" if votes.get("professor", 0) >= n_top else "senior"
            return CareerStage(stage, "record", f"{rec}; role titles split ({_split(votes)})")
        return CareerStage("unknown", "none", f"role titles split ({_split(votes)}); {rec}")
    if level == "senior":
        stage = "professor" if faculty else "senior"
        extra = (f"; {faculty} earlier faculty title(s)" if faculty
                 else "; no recent role title in the records")
        return CareerStage(stage, "record", rec + extra)
    older = f"; only older titles ({_split(Counter(c for _, c, _ in obs))})" if obs else ""
    return CareerStage("unknown", "none", f"no recent role title; {rec}{older}")


# ties between title classes: the more senior title wins (a person rarely holds a title below
# their stage, while a coauthor's lower title is the common mis-alignment)
_PRECEDENCE = {"professor": 5, "senior": 4, "researcher": 3, "phd": 2, "student": 1, "other": 0}


def _split(votes: Counter[str]) -> str:
    return ", ".join(f"{c} {n}" for c, n in votes.most_common())

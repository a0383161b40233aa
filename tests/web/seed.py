"""Seed an operational store for the web tests: a user of every role, a plan, candidates, bands,
a roster with grants, and 'our organisation' = Google DeepMind (the world's lab)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from talentgraph.ops import candidates, imports, plans, settings, users
from talentgraph.ops.db import OpsStore
from talentgraph.ops.permissions import Role

ROLES = [r.value for r in Role]
PASSWORD = "pass-{role}-1234"

BANDS = ("company,level,currency,source,as_of,base_min,base_max,bonus_min,bonus_max,"
         "equity_per_year_min,equity_per_year_max,sign_on_min,sign_on_max\n") + """\
Google DeepMind,L5,USD,internal,2026-01-01,180000,260000,15000,40000,50000,200000,0,80000
OpenAI,L5,USD,survey,2026-01-01,200000,300000,0,0,200000,500000,0,0
"""
ROSTER = """name,email,team,level,start_date,base,bonus,currency,person_id
Eve Fong,eve@ourlab.example,genai,L5,2019-03-01,210000,30000,USD,{eve}
Ada Quill,ada@ourlab.example,genai,L5,2021-09-01,190000,20000,USD,{ada}
"""
GRANTS = """employee_email,grant_date,value,currency,kind,fractions
eve@ourlab.example,2019-03-01,400000,USD,cliff_monthly,
ada@ourlab.example,2021-09-01,300000,USD,front_loaded,40/30/20/10
"""


def password(role: str) -> str:
    return PASSWORD.format(role=role)


def seed(ops: OpsStore, folder: Path, person_ids: dict[str, str]) -> dict[str, int]:
    """Users are named after their role (executive, contract_recruiter...)."""
    ids: dict[str, int] = {}
    with ops.session() as s:
        admin = users.create_first_admin(s, "admin", password("admin"), "Ada Admin",
                                         "admin@ourlab.example")
        ids["admin"] = admin.id
        actor = users.actor_for(admin)
        for role in ROLES:
            if role != "admin":
                u = users.create_user(s, actor, role, password(role), role,
                                      role.replace("_", " ").title(), f"{role}@ourlab.example")
                ids[role] = u.id
    with ops.session() as s:
        exe = users.actor_for(users.get_user(s, "executive"))
        settings.set_setting(s, exe, "organisation", {
            "name": "Google DeepMind", "org_ids": ["google-deepmind", "deepmind"],
            "aliases": ["DeepMind"]})
        plan = plans.create_plan(s, exe, "GenAI 2026", "genai", 100, date(2026, 1, 1),
                                 date(2026, 12, 31))
        req = plans.create_requisition(s, exe, "Research Scientist, RLHF", "genai", "L5", 10,
                                       date(2026, 1, 1), plan_id=plan.id)
        ids["requisition"] = req.id
        bo = candidates.create_candidate(s, exe, "Bo Chen", "bo@example.org",
                                         person_ids["Bo Chen"], req.id,
                                         assign_to="contract_recruiter")
        carla = candidates.create_candidate(s, exe, "Carla Diaz", "carla@example.org",
                                            person_ids["Carla Diaz"], req.id)
        for st in ("contacted", "replied", "screening", "interviewing"):
            candidates.move_stage(s, exe, carla.id, st)
        ids["bo"], ids["carla"] = bo.id, carla.id
    for name, text in (("bands.csv", BANDS), ("roster.csv", ROSTER.format(
            eve=person_ids["Eve Fong"], ada=person_ids["Ada Quill"])), ("grants.csv", GRANTS)):
        (folder / name).write_text(text, encoding="utf-8")
    with ops.session() as s:
        cp = users.actor_for(users.get_user(s, "comp_partner"))
        imports.import_bands(s, cp, folder / "bands.csv")
        imports.import_roster(s, cp, folder / "roster.csv")
        imports.import_grants(s, cp, folder / "grants.csv")
    return ids

"""Talent operations: the operational store (users, pipeline, outreach, offers) and its services.

Python API, in short::

    from talentgraph.ops.db import OpsStore
    from talentgraph.ops import users, plans, candidates, outreach

    store = OpsStore("sqlite:///ops.sqlite")       # or postgresql+psycopg://...; migrates
    with store.session() as s:                     # one transaction; audit entries included
        actor = users.authenticate(s, "rita", password, source="10.0.0.7")
    with store.session() as s:
        cand = candidates.create_candidate(s, actor, "Ada Lovelace", person_id="P")

Every service function takes the session and an `Actor` and raises PermissionDenied when the
role may not (the matrix is `permissions.MATRIX`). Modules: `users`, `plans` (hiring plans,
requisitions, progress), `candidates`, `outreach` (letters, .eml, SMTP, replies; graph facts via
`graphview.GraphView`), `imports` (roster, grants, bands), `offer_service`, `counter_service`,
`risk_service`, `settings` (policies), `audit`, `erasure` (its hooks: `default_hooks`). The pure
compensation maths is in `comp/` and `retention/`.
"""

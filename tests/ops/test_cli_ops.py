"""The recruiter's path through `talentgraph ops`: a sourced person -> a drafted letter -> a
pipeline entry -> an offer compared with a rival's -> an executive's approval."""

from __future__ import annotations

import json
from email import message_from_bytes
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from talentgraph.cli import app

FIX = Path(__file__).parent / "fixtures"
PASSWORD = "a long enough password"


@pytest.fixture
def ops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("TALENTGRAPH_PASSWORD", PASSWORD)
    monkeypatch.setenv("TALENTGRAPH_NEW_PASSWORD", PASSWORD)
    monkeypatch.delenv("TALENTGRAPH_USER", raising=False)
    monkeypatch.delenv("TALENTGRAPH_SMTP_HOST", raising=False)
    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    runner = CliRunner()

    def run(user: str | None, *args: str, ok: bool = True) -> str:
        base = ["ops", "--ops-db", url] + (["--as", user] if user else [])
        result = runner.invoke(app, [*base, *args])
        if ok:
            assert result.exit_code == 0, (args, result.output, result.exception)
        else:
            assert result.exit_code == 1, (args, result.output)
            assert "Traceback" not in result.output
        return result.output

    return run


def _graph(path: Path) -> Path:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE persons (person_id VARCHAR, canonical_name VARCHAR)")
    con.execute("INSERT INTO persons VALUES ('p:ada', 'Ada Lovelace'), ('p:cb', 'C. Babbage')")
    con.execute("""CREATE TABLE papers (paper_id VARCHAR, venue VARCHAR, year INTEGER,
                   title VARCHAR, keywords VARCHAR[], status VARCHAR, citations INTEGER)""")
    con.execute("""INSERT INTO papers VALUES ('x1', 'iclr', 2025, 'Engines That Reason',
                   ['reasoning'], 'Oral', 12)""")
    con.execute("CREATE TABLE mention_person (paper_id VARCHAR, position INTEGER, "
                "person_id VARCHAR)")
    con.execute("INSERT INTO mention_person VALUES ('x1', 0, 'p:ada'), ('x1', 1, 'p:cb')")
    con.close()
    return path


def test_source_to_approved_offer(ops, tmp_path: Path) -> None:  # noqa: ANN001
    ops(None, "init", "--admin", "root")
    for user, role in (("erin", "executive"), ("lee", "recruiting_lead"), ("rita", "recruiter"),
                       ("cora", "comp_partner"), ("sam", "sourcer")):
        ops("root", "user", "add", user, "--role", role, "--email", f"{user}@ourlab.example",
            "--name", user.title())
    ops("erin", "policy", "set", "organisation", 'name="Our Lab"')
    ops("lee", "req", "add", "Research scientist", "--team", "genai", "--level", "L5",
        "--headcount", "3", "--open", "2026-01-05")

    # The person came from `talentgraph source`: we add them with their graph person id.
    cand = json.loads(ops("rita", "candidate", "add", "Ada Lovelace", "--email",
                          "ada@example.org", "--person-id", "p:ada", "--req", "1", "--json"))
    assert cand["stage"] == "sourced"
    dup = ops("rita", "candidate", "add", "Ada Lovelace", "--person-id", "p:ada", ok=False)
    assert "duplicate person" in dup

    graph = _graph(tmp_path / "g.duckdb")
    named = json.loads(ops("rita", "candidate", "add", "--person-id", "p:cb", "--graph-db",
                           str(graph), "--json"))
    assert named["name"] == "C. Babbage"  # the name comes from the graph
    # this tiny graph has no search index to choose papers from: drafted without graph facts
    # (papers chosen on a built store: tests/web/test_letters.py)
    out = ops("rita", "outreach", "draft", str(cand["id"]), "--signer", "erin",
              "--graph-db", str(graph), "--json")
    assert "no graph facts" in out and "no search index" in " ".join(out.split())
    letter = json.loads(out[out.index("{"):])
    assert letter["subject"] == "A note from Erin"
    assert "Dear Ada," in letter["body"] and "Our Lab" in letter["body"]
    eml = tmp_path / "ada.eml"
    ops("rita", "outreach", "export-eml", str(letter["id"]), "-o", str(eml))
    assert message_from_bytes(eml.read_bytes())["To"] == "Ada Lovelace <ada@example.org>"
    assert "SMTP is not configured" in ops("rita", "outreach", "send", str(letter["id"]),
                                           ok=False)
    ops("rita", "outreach", "reply", str(letter["id"]), "interested")
    ops("rita", "candidate", "stage", str(cand["id"]), "interviewing")

    ops("cora", "bands", "import", str(FIX / "bands.csv"))
    rival = json.loads(ops("cora", "offer", "rival", "Rival AI", "--candidate",
                           str(cand["id"]), "--base", "200000", "--equity", "600000", "--json"))
    offer = json.loads(ops("cora", "offer", "build", str(cand["id"]), "--level", "L5",
                           "--beat", str(rival["id"]), "--json"))
    assert offer["status"] == "pending_approval" and not offer["needs_exception"]
    cmp = json.loads(ops("cora", "offer", "compare", str(offer["id"]), str(rival["id"]),
                         "--json"))
    assert cmp["beats_by_margin"] and cmp["total_diff"] > 0
    assert "may not offer.approve" in ops("cora", "offer", "approve", str(offer["id"]), ok=False)
    ops("erin", "offer", "approve", str(offer["id"]), "--note", "go")

    shown = json.loads(ops("cora", "offer", "show", str(offer["id"]), "--json"))
    assert shown["status"] == "approved" and shown["approvals"][0]["decision"] == "approved"
    (prog,) = json.loads(ops("lee", "req", "progress", "1", "--json"))
    assert prog["in_offer"] == 1 and prog["offers_made"] == 1
    history = json.loads(ops("rita", "candidate", "show", str(cand["id"]), "--json"))["history"]
    assert [h["to"] for h in history] == ["sourced", "replied", "interviewing", "offer"]

    # The sourcer sees none of it; pay stays with comp partners and executives.
    assert json.loads(ops("sam", "candidate", "list", "--json")) == []
    assert "may not offer.view" in ops("sam", "offer", "list", ok=False)
    actions = {e["action"] for e in json.loads(ops("root", "audit", "list", "--json",
                                                   "--limit", "500"))}
    assert {"candidate.create", "outreach.draft", "outreach.export", "offer.build",
            "offer.compare", "offer.approved", "candidate.stage"} <= actions


def test_clear_errors(ops) -> None:  # noqa: ANN001
    ops(None, "init", "--admin", "root")
    assert "already has users" in ops(None, "init", "--admin", "again", ok=False)
    assert "who are you" in ops(None, "user", "list", ok=False)
    assert "login failed" in ops("ghost", "user", "list", ok=False)
    ops("root", "user", "add", "cora", "--role", "comp_partner")
    out = ops("cora", "roster", "import", str(FIX / "roster_bad.csv"), ok=False)
    assert "nothing imported" in out and "row 3, column base: negative pay" in out
    errors = json.loads(ops("cora", "roster", "import", str(FIX / "roster_bad.csv"), "--json",
                            ok=False))["errors"]
    assert {(e["row"], e["column"]) for e in errors} == {(3, "base"), (4, "currency"),
                                                         (5, "email")}
    assert "unknown role" in ops("root", "user", "add", "x", "--role", "wizard", ok=False)
    ops("root", "user", "role", "cora", "executive")
    ops("root", "user", "disable", "cora")
    assert "login failed" in ops("cora", "user", "list", ok=False)
    ops("root", "user", "enable", "cora")
    assert "may not user.list" not in ops("cora", "user", "list")
    matrix = json.loads(ops(None, "roles", "--json"))
    assert matrix["offer.approve"] == ["executive"] and "contract_recruiter" not in \
        matrix["employee.view"]
    assert json.loads(ops("root", "audit", "list", "--since", "2999-01-01", "--json")) == []
    assert "give the candidate's name" in ops("root", "candidate", "add", ok=False)
    assert "no candidate #99" in ops("cora", "offer", "build", "99", "--level", "L5",
                                     "--base", "1", ok=False)


def test_private_rival_uses_policy_discount(ops) -> None:  # noqa: ANN001
    ops(None, "init", "--admin", "root")
    ops("root", "user", "add", "erin", "--role", "executive")
    ops("erin", "candidate", "add", "Pat Private")
    public = json.loads(ops("erin", "offer", "rival", "Startup", "--candidate", "1", "--base",
                            "150000", "--equity", "2000000", "--json"))
    ops("erin", "policy", "set", "offer", "private_discount_pct=75", "liquidity_years=0")
    private = json.loads(ops("erin", "offer", "rival", "Startup", "--candidate", "1", "--base",
                             "150000", "--equity", "2000000", "--private", "--json"))
    assert private["private"] and not public["private"]
    eq_public = [y["equity"] for y in public["yearly_totals"]]
    eq_private = [y["equity"] for y in private["yearly_totals"]]
    assert eq_private == [pytest.approx(e * 0.25, abs=0.02) for e in eq_public]


def test_staff_side(ops, tmp_path: Path) -> None:  # noqa: ANN001
    ops(None, "init", "--admin", "root")
    ops("root", "user", "add", "erin", "--role", "executive")
    ops("root", "user", "add", "cora", "--role", "comp_partner")
    ops("root", "user", "add", "lee", "--role", "recruiting_lead")
    imported = json.loads(ops("cora", "roster", "import", str(FIX / "roster.csv"), "--grants",
                              str(FIX / "grants.csv"), "--json"))
    assert [r["inserted"] for r in imported] == [2, 2]
    again = json.loads(ops("cora", "roster", "import", str(FIX / "roster.csv"), "--grants",
                           str(FIX / "grants.csv"), "--json"))
    assert [r["unchanged"] for r in again] == [2, 2]
    ops("cora", "bands", "import", str(FIX / "bands.csv"))
    risks = json.loads(ops("cora", "flight-risk", "list", "--as-of", "2026-01-01", "--graph-db",
                           str(tmp_path / "none.duckdb"), "--json"))
    assert {r["email"] for r in risks} == {"grace@ourlab.example", "alan@ourlab.example"}
    assert all(r["reasons"] and not r["graph_evidence"] for r in risks)
    assert "may not risk.view" in ops("lee", "flight-risk", "list", ok=False)

    rival = json.loads(ops("cora", "offer", "rival", "Rival AI", "--employee",
                           "alan@ourlab.example", "--base", "260000", "--bonus", "30000",
                           "--equity", "400000", "--json"))
    held = json.loads(ops("cora", "counter-offer", "rivals", "alan@ourlab.example", "--json"))
    assert [(r["id"], r["company"]) for r in held] == [(rival["id"], "Rival AI")]
    counter = json.loads(ops("cora", "counter-offer", "options", str(rival["id"]), "--as-of",
                             "2026-01-01", "--json"))
    assert counter["options"] and counter["decision"] is None
    ops("erin", "counter-offer", "decide", str(counter["id"]), "--option", "1")
    assert "already decided" in ops("erin", "counter-offer", "decide", str(counter["id"]),
                                    "--no-counter", ok=False)

    ops("lee", "candidate", "add", "Eve Erasable", "--email", "eve@example.org")
    ops("lee", "erase", "1", "--yes")
    assert json.loads(ops("lee", "candidate", "list", "--json")) == []
    log = json.loads(ops("erin", "audit", "list", "--json", "--limit", "500"))
    assert {"roster.import", "grants.import", "risk.read", "counter.decide", "candidate.erase",
            "denied"} <= {e["action"] for e in log}
    assert "eve@example.org" not in json.dumps(log) and "Erasable" not in json.dumps(log)
    assert "backup written" in ops("root", "backup", str(tmp_path / "copy.sqlite"))
    assert "may not backup" in ops("erin", "backup", str(tmp_path / "copy2.sqlite"), ok=False)


def _indexed_store(path: Path, *people: str) -> Path:
    """An analytical store whose search index holds `people` (only the tables erasure touches)."""
    from talentgraph.store import db

    con = db.connect(path)
    con.execute("CREATE TABLE sourcing_people (person_key INTEGER, person_id VARCHAR)")
    con.execute("CREATE TABLE sourcing_author_keys (person_key INTEGER, author_key VARCHAR)")
    con.execute("CREATE TABLE sourcing_authorship (person_id VARCHAR, paper_id VARCHAR)")
    for k, person in enumerate(people):
        con.execute("INSERT INTO sourcing_people VALUES (?, ?)", [k, person])
        con.execute("INSERT INTO sourcing_author_keys VALUES (?, ?)", [k, f"key-{person}"])
        con.execute("INSERT INTO sourcing_authorship VALUES (?, 'x1')", [person])
    con.close()
    return path


def _indexed(path: Path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return sorted(r[0] for r in con.execute(
            "SELECT person_id FROM sourcing_people UNION ALL "
            "SELECT person_id FROM sourcing_authorship").fetchall())
    finally:
        con.close()


def test_erase_removes_the_person_from_the_store_the_user_names(
        ops, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    ops(None, "init", "--admin", "root")
    ops("root", "user", "add", "lee", "--role", "recruiting_lead")
    elsewhere = _indexed_store(tmp_path / "stores" / "graph.duckdb", "p:ada", "p:cb")
    decoy = _indexed_store(tmp_path / "default.duckdb", "p:ada", "p:cb")
    monkeypatch.setenv("TALENTGRAPH_DB", str(decoy))
    for name, person in (("Ada Lovelace", "p:ada"), ("C. Babbage", "p:cb")):
        ops("lee", "candidate", "add", name, "--person-id", person)

    # --db: that store's index loses Ada; the default store ($TALENTGRAPH_DB) is untouched.
    ops("lee", "erase", "1", "--yes", "--db", str(elsewhere))
    assert _indexed(elsewhere) == ["p:cb", "p:cb"]
    assert _indexed(decoy) == ["p:ada", "p:ada", "p:cb", "p:cb"]
    # $TALENTGRAPH_DB alone names the store.
    monkeypatch.setenv("TALENTGRAPH_DB", str(elsewhere))
    ops("lee", "erase", "2", "--yes")
    assert _indexed(elsewhere) == [] and _indexed(decoy) == ["p:ada", "p:ada", "p:cb", "p:cb"]


def test_erase_with_a_missing_named_store_erases_nothing(
        ops, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("TALENTGRAPH_DB", raising=False)
    ops(None, "init", "--admin", "root")
    ops("root", "user", "add", "lee", "--role", "recruiting_lead")
    ops("lee", "candidate", "add", "Ada Lovelace", "--person-id", "p:ada")
    out = " ".join(ops("lee", "erase", "1", "--yes", "--db", str(tmp_path / "typo.duckdb"),
                       ok=False).split())
    assert "no analytical store" in out and "nothing was erased" in out
    assert [c["name"] for c in json.loads(ops("lee", "candidate", "list", "--json"))] == [
        "Ada Lovelace"]


def test_a_mistyped_store_is_named_not_created(ops, tmp_path: Path) -> None:  # noqa: ANN001
    """`--ops-db typo.sqlite` used to create an empty store and then say "wrong username or
    password"; now only `ops init` creates a store, in an existing folder, readable by its owner."""
    out = ops("root", "user", "list", ok=False)
    assert "no operational store at" in out and "ops init" in out
    assert "wrong username" not in out
    assert not (tmp_path / "ops.sqlite").exists()
    ops(None, "init")  # an empty store (its first admin comes from /setup or init --admin)
    assert (tmp_path / "ops.sqlite").stat().st_mode & 0o777 == 0o600
    ops(None, "init", "--admin", "root")
    assert "root" in ops("root", "user", "list")
    runner = CliRunner()
    missing = tmp_path / "nope" / "ops.sqlite"
    result = runner.invoke(app, ["ops", "--ops-db", str(missing), "init", "--admin", "root"])
    assert result.exit_code == 1 and "does not exist" in result.output
    assert not missing.parent.exists()

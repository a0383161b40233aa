"""Roster, grants and bands imports (all or nothing, idempotent); offers, counter-offers, risk."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from talentgraph.errors import OpsInputError
from talentgraph.ops import candidates, counter_service, imports, offer_service, settings
from talentgraph.ops.compstore import package_from_json, package_from_options, package_to_json
from talentgraph.ops.db import OpsStore
from talentgraph.ops.models import Approval, Employee, EquityGrant, MarketBand
from talentgraph.ops.permissions import Actor
from talentgraph.ops.risk_service import flight_risks

FIX = Path(__file__).parent / "fixtures"


def _import_all(store: OpsStore, cp: Actor) -> None:
    with store.session() as s:
        imports.import_roster(s, cp, FIX / "roster.csv", FIX / "grants.csv")
        imports.import_bands(s, cp, FIX / "bands.csv")
        settings.set_setting(s, _exec(store), "organisation", {"name": "Our Lab"})


def _exec(store: OpsStore) -> Actor:
    from talentgraph.ops.models import User
    from talentgraph.ops.users import actor_for

    with store.session() as s:
        return actor_for(s.scalar(select(User).where(User.username == "executive")))


def test_roster_import_is_idempotent(store: OpsStore, users: dict[str, Actor]) -> None:
    cp = users["comp_partner"]
    with store.session() as s:
        first = imports.import_roster(s, cp, FIX / "roster.csv", FIX / "grants.csv")
    with store.session() as s:
        again = imports.import_roster(s, cp, FIX / "roster.csv", FIX / "grants.csv")
        assert [r.inserted for r in first] == [2, 2]
        assert [(r.inserted, r.updated, r.unchanged) for r in again] == [(0, 0, 2), (0, 0, 2)]
        assert s.scalar(select(func.count(Employee.id))) == 2
        assert s.scalar(select(func.count(EquityGrant.id))) == 2
        for _ in range(2):
            imports.import_bands(s, cp, FIX / "bands.csv")
        assert s.scalar(select(func.count(MarketBand.id))) == 3
        roster = imports.list_employees(s, cp)
    alan = next(e for e in roster if e["email"] == "alan@ourlab.example")
    assert alan["grants"][0]["kind"] == "front_loaded" and "40/30/20/10" in \
        alan["grants"][0]["schedule"]


def test_bad_roster_imports_nothing_and_names_rows(store: OpsStore,
                                                    users: dict[str, Actor]) -> None:
    with pytest.raises(imports.ImportRowErrors) as exc, store.session() as s:
        imports.import_roster(s, users["comp_partner"], FIX / "roster_bad.csv")
    text = str(exc.value)
    assert "roster_bad.csv, row 3, column base: negative pay" in text
    assert "row 4, column currency: unknown currency 'XYZ'" in text
    assert "row 5, column email: duplicate person" in text
    assert len(exc.value.errors) == 3
    with store.session() as s:
        assert s.scalar(select(func.count(Employee.id))) == 0


def test_grants_for_unknown_people_are_refused(store, users, tmp_path) -> None:  # noqa: ANN001
    bad = tmp_path / "g.csv"
    bad.write_text("employee_email,grant_date,value,currency\nghost@x.org,2024-01-01,5,USD\n")
    with pytest.raises(imports.ImportRowErrors, match="not on the roster"), store.session() as s:
        imports.import_grants(s, users["comp_partner"], bad)


def test_package_json_round_trip() -> None:
    p = package_from_options("USD", "200000", sign_on=["30000", "10000"], bonus_pct=15,
                             equity="400000", vesting="front_loaded", refresher="50000",
                             private_discount_pct=40, liquidity_probability=0.7,
                             years_to_liquidity=3, label="x")
    assert package_from_json(package_to_json(p)) == p


def _candidate(store: OpsStore, users: dict[str, Actor], interviewed: bool) -> int:
    with store.session() as s:
        c = candidates.create_candidate(s, users["recruiter"], "Ivy Offerman", "ivy@example.org")
        if interviewed:
            candidates.move_stage(s, users["recruiter"], c.id, "interviewing")
        return c.id


def test_offer_beating_a_stock_heavy_rival(store: OpsStore, users: dict[str, Actor]) -> None:
    cp, ex = users["comp_partner"], users["executive"]
    _import_all(store, cp)
    cid = _candidate(store, users, interviewed=True)
    rival = package_from_options("USD", 200000, equity=600000, label="Rival AI")
    with store.session() as s:
        rid = offer_service.add_competing_offer(s, cp, "Rival AI", rival, candidate_id=cid).id
        offer = offer_service.build_offer(s, cp, cid, "L5", beat_competing_id=rid)
        oid = offer.id
        assert not offer.needs_exception and not offer.without_interviews
        cmp = offer_service.compare_offer(s, cp, oid, rid)
    assert cmp["beats_by_margin"] and cmp["total_diff"] > 0
    with pytest.raises(Exception, match="may not offer.approve"), store.session() as s:
        offer_service.approve_offer(s, cp, oid)
    with store.session() as s:
        offer_service.approve_offer(s, ex, oid, "approved", "within band")
        got = offer_service.get_offer(s, cp, oid)
        assert got["status"] == "approved" and got["approvals"][0]["kind"] == "offer"
        assert candidates.get_candidate(s, users["recruiter"], cid)["stage"] == "offer"
        offer_service.record_outcome(s, cp, oid, "accepted")
        assert candidates.get_candidate(s, users["recruiter"], cid)["stage"] == "accepted"
    with pytest.raises(OpsInputError, match="only an approved offer"), store.session() as s:
        offer_service.record_outcome(s, cp, oid, "declined")


def test_offer_without_interviews_is_an_exception(store: OpsStore,
                                                  users: dict[str, Actor]) -> None:
    cp, ex = users["comp_partner"], users["executive"]
    _import_all(store, cp)
    cid = _candidate(store, users, interviewed=False)
    package = package_from_options("USD", 210000, bonus=20000, equity=300000)
    with pytest.raises(OpsInputError, match="sourcing dossier"), store.session() as s:
        offer_service.build_offer(s, cp, cid, "L5", package=package)
    with store.session() as s:
        offer = offer_service.build_offer(s, cp, cid, "L5", package=package,
                                          dossier="https://wiki.example/dossier/ivy")
        assert offer.without_interviews and offer.needs_exception
        approval = offer_service.approve_offer(s, ex, offer.id)
        assert (approval.kind, approval.decision) == ("exception", "approved")


def test_rival_beyond_band_needs_exception(store: OpsStore, users: dict[str, Actor]) -> None:
    cp = users["comp_partner"]
    _import_all(store, cp)
    cid = _candidate(store, users, interviewed=True)
    rival = package_from_options("USD", 400000, equity=4000000)
    with store.session() as s:
        rid = offer_service.add_competing_offer(s, cp, "Rival AI", rival, candidate_id=cid).id
        offer = offer_service.build_offer(s, cp, cid, "L5", beat_competing_id=rid)
        assert offer.needs_exception and "needs an exception" in offer.note


def test_counter_offer_under_policy(store: OpsStore, users: dict[str, Actor]) -> None:
    cp, ex = users["comp_partner"], users["executive"]
    _import_all(store, cp)
    rival = package_from_options("USD", 260000, bonus=30000, equity=400000)
    with store.session() as s:
        rid = offer_service.add_competing_offer(s, cp, "Rival AI", rival,
                                                employee_email="alan@ourlab.example").id
        row = counter_service.counter_options(s, cp, rid, as_of=date(2026, 1, 1))
        assert row.options and row.decision is None
        decided = counter_service.decide_counter(s, ex, row.id, 1, "keep Alan")
        assert decided.decision == "counter" and decided.chosen == row.options[0]
        assert s.scalar(select(func.count(Approval.id))
                        .where(Approval.object_type == "counter_offer")) == 1
    with pytest.raises(OpsInputError, match="already decided"), store.session() as s:
        counter_service.decide_counter(s, ex, row.id, None)
    with store.session() as s:
        settings.set_setting(s, ex, "counter_offer", {"allowed": False})
        blocked = counter_service.counter_options(s, cp, rid, as_of=date(2026, 1, 1))
        assert blocked.decision == "not_allowed" and blocked.options == []
    with pytest.raises(OpsInputError, match="decided"), store.session() as s:
        counter_service.decide_counter(s, ex, blocked.id, 1)


class Departures:
    def collaborators_left(self, person_id: str, as_of: date) -> tuple[int, int | None]:
        return (3, 5) if person_id == "p:grace" else (0, 0)


def test_flight_risk_uses_graph_and_gives_reasons(store: OpsStore,
                                                  users: dict[str, Actor]) -> None:
    _import_all(store, users["comp_partner"])
    with store.session() as s:
        rows = flight_risks(s, users["executive"], date(2026, 1, 1), Departures())
    grace = next(r for r in rows if r["email"] == "grace@ourlab.example")
    assert grace["graph_evidence"] and rows[0]["score"] >= rows[1]["score"]
    assert {r["factor"] for r in grace["reasons"]} >= {"collaborators_left", "tenure",
                                                       "pay_vs_band"}
    assert "3 of 5 close collaborators left" in " ".join(r["detail"] for r in grace["reasons"])


def test_hand_built_offer_above_band_needs_exception(store: OpsStore,
                                                     users: dict[str, Actor]) -> None:
    cp = users["comp_partner"]
    _import_all(store, cp)
    cid = _candidate(store, users, interviewed=True)
    within = package_from_options("USD", 200000, bonus=20000, equity=400000)
    above = package_from_options("USD", 260000, bonus=20000, equity=400000, sign_on=[90000])
    with store.session() as s:
        ok = offer_service.build_offer(s, cp, cid, "L5", package=within)
        assert not ok.needs_exception
        high = offer_service.build_offer(s, cp, cid, "L5", package=above)
        assert high.needs_exception
        assert "base 260,000.00 USD > band maximum 230,000.00 USD" in high.note
        assert "sign-on 90,000.00 USD > band maximum 50,000.00 USD" in high.note
        unbanded = offer_service.build_offer(s, cp, cid, "L9", package=within)
        assert not unbanded.needs_exception and "not checked against a band" in unbanded.note


def _bands_file(path: Path, n: int) -> Path:
    header = ("company,level,currency,source,as_of,base_min,base_max,bonus_min,bonus_max,"
              "equity_per_year_min,equity_per_year_max\n")
    with path.open("w", encoding="utf-8") as f:
        f.write(header)
        for i in range(n):
            f.write(f"Co{i},L5,USD,survey,2026-01-01,180000,260000,0,1000,0,5000\n")
    return path


def test_imports_are_limited_in_rows_and_bytes(store: OpsStore, users: dict[str, Actor],
                                               tmp_path: Path, monkeypatch) -> None:
    """A 300,000-row bands file used to be imported whole (minutes, 0.8 GB) and then slow every
    page reading the bands; past the limits a file is refused, by name, and nothing goes in."""
    from talentgraph.ops.comp import csvrows

    cp = users["comp_partner"]
    monkeypatch.setitem(csvrows.ROW_LIMITS, "bands", 50)
    with store.session() as s:
        report = imports.import_bands(s, cp, _bands_file(tmp_path / "ok.csv", 50))
        assert report.inserted == 50
    with pytest.raises(OpsInputError, match=r"big.csv, row 52: more than 50 data rows"), \
            store.session() as s:
        imports.import_bands(s, cp, _bands_file(tmp_path / "big.csv", 51))
    monkeypatch.setattr(csvrows, "MAX_BYTES", 1000)
    with pytest.raises(OpsInputError, match=r"ok.csv: the file has [\d,]+ bytes, more than the "
                       r"1,000 allowed"), store.session() as s:
        imports.import_bands(s, cp, tmp_path / "ok.csv")
    with store.session() as s:
        assert s.scalar(select(func.count(MarketBand.id))) == 50
    assert csvrows.ROW_LIMITS == {"bands": 50, "roster": 100_000, "grants": 200_000}


def test_the_row_limit_stops_reading_the_file(tmp_path: Path, monkeypatch) -> None:
    """The file is streamed: past the limit nothing more is read (no whole-file parse)."""
    from talentgraph.ops.comp import bands, csvrows

    monkeypatch.setitem(csvrows.ROW_LIMITS, "bands", 10)
    seen: list[str] = []

    def lines():  # noqa: ANN202
        with _bands_file(tmp_path / "b.csv", 1000).open(encoding="utf-8") as f:
            for line in f:
                seen.append(line)
                yield line

    result = bands.parse_bands_text(lines(), "b.csv")
    assert not result.ok and "more than 10 data rows" in str(result.errors[-1])
    assert len(seen) <= 13

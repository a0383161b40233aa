"""`ops offer show` tells the approver what the offer page does (issue #15 item 2): the
candidate's name, the bonus, the rival's offer on paper and discounted with the assumptions,
and the dossier behind an offer without interviews."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from talentgraph.cli import app

FIX = Path(__file__).parent / "fixtures"
PASSWORD = "a long enough password"


Ops = Callable[..., str]


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Ops, int]:
    """`ops(user, *args)` on a new store with bands, a comp partner (cora) and a recruiter's
    candidate, Zoe Quick (the id returned)."""
    monkeypatch.setenv("TALENTGRAPH_PASSWORD", PASSWORD)
    monkeypatch.setenv("TALENTGRAPH_NEW_PASSWORD", PASSWORD)
    monkeypatch.delenv("TALENTGRAPH_USER", raising=False)
    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    runner = CliRunner()

    def ops(user: str | None, *args: str) -> str:
        result = runner.invoke(app, ["ops", "--ops-db", url, *(["--as", user] if user else []),
                                     *args])
        assert result.exit_code == 0, (args, result.output)
        return result.output

    ops(None, "init", "--admin", "root")
    ops("root", "user", "add", "cora", "--role", "comp_partner")
    ops("cora", "bands", "import", str(FIX / "bands.csv"))
    ops("root", "user", "add", "rita", "--role", "recruiter")
    cid = json.loads(ops("rita", "candidate", "add", "Zoe Quick", "--json"))["id"]
    return ops, cid


def test_offer_show_gives_the_whole_picture(seeded: tuple[Ops, int]) -> None:
    ops, cid = seeded
    rival = json.loads(ops("cora", "offer", "rival", "Startup", "--candidate", str(cid),
                           "--base", "200000", "--equity", "2000000", "--private",
                           "--liquidity", "0.5", "--json"))
    offer = json.loads(ops("cora", "offer", "build", str(cid), "--level", "L5", "--beat",
                           str(rival["id"]), "--dossier", "Three orals as first author.",
                           "--json"))
    text = " ".join(ops("cora", "offer", "show", str(offer["id"])).split())
    assert f"Offer #{offer['id']} for Zoe Quick" in text
    bonus = float(offer["package"]["bonus_amount"])  # the smallest beating package: an amount
    assert bonus > 0 and f"bonus {bonus:,.0f} USD" in text
    assert "2,000,000 USD on paper" in text
    # the offer policy's defaults (50%, 4 years) and the given liquidity probability, named
    assert "discount 50%, liquidity probability 50%, 4 years to liquidity" in text
    assert "Dossier justifying the offer without interviews: Three orals as first author." \
        in text


def test_offer_options_reach_both_packages(seeded: tuple[Ops, int]) -> None:
    """`offer build` and `offer rival` read the package options alike: vesting fractions
    written 40;30;20;10 or 40/30/20/10, sign-on per year; the headline names the flags."""
    ops, cid = seeded
    options = ["--base", "200000", "--equity", "400000", "--vesting", "custom",
               "--sign-on", "20000", "--sign-on", "10000"]
    rival = json.loads(ops("cora", "offer", "rival", "Startup", "--candidate", str(cid),
                           *options, "--fractions", "40/30/20/10", "--json"))
    ours = json.loads(ops("cora", "offer", "build", str(cid), "--level", "L5", *options,
                          "--fractions", "40;30;20;10", "--dossier", "Two orals.", "--json"))
    totals = [float(y["total"]) for y in ours["yearly_totals"]]
    assert totals == [float(y["total"]) for y in rival["yearly_totals"]]
    assert totals == [200000 + 160000 + 20000, 200000 + 120000 + 10000, 200000 + 80000,
                      200000 + 40000]
    headline = " ".join(ops("cora", "offer", "build", str(cid), "--level", "L5", *options,
                            "--fractions", "40/30/20/10", "--dossier", "Two orals.").split())
    # equity of 160,000 in year 1 is above the L5 band: an exception, and no interviews
    assert "over 4 years, pending_approval (needs an exception; without interviews)" in headline
    shown = " ".join(ops("cora", "offer", "show", str(ours["id"])).split())
    assert f"Offer #{ours['id']} for Zoe Quick: level L5, pending_approval " \
        "(needs an exception; without interviews)" in shown

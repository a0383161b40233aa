"""`ops offer show` tells the approver what the offer page does (issue #15 item 2): the
candidate's name, the bonus, the rival's offer on paper and discounted with the assumptions,
and the dossier behind an offer without interviews."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from talentgraph.cli import app

FIX = Path(__file__).parent / "fixtures"
PASSWORD = "a long enough password"


def test_offer_show_gives_the_whole_picture(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
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

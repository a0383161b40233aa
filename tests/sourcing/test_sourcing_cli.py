"""`talentgraph source` and `talentgraph dossier` end to end on a fixture store."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from talentgraph.cli import app

runner = CliRunner()


def test_source_json_ranks_and_explains(store_path: Path) -> None:
    res = runner.invoke(app, ["source", "reinforcement learning from human feedback", "--db",
                              str(store_path), "--at", "Lab A", "--limit", "5", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [p["name"] for p in data["people"]] == ["Alice Adams", "Dan Diaz"]
    alice = data["people"][0]
    assert {c["name"] for c in alice["components"]} == {"expertise", "impact", "output",
                                                        "network", "seniority", "mobility"}
    assert abs(sum(c["points"] for c in alice["components"]) - alice["score"]) < 1e-9
    assert alice["where"]["source"] == "careers" and alice["top_papers"]


def test_source_table_and_why(store_path: Path) -> None:
    res = runner.invoke(app, ["source", "graph neural networks", "--db", str(store_path),
                              "--why", "--role", "researcher"])
    assert res.exit_code == 0, res.output
    assert "Dan Diaz" in res.stdout and "expertise" in res.stdout
    assert "Message passing graph neural networks" in res.stdout


def test_dossier_formats_and_file_output(store_path: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["dossier", "P~Alice_Adams1", "--db", str(store_path),
                              "--for-role", "human feedback", "--ours", "Lab A"])
    assert res.exit_code == 0, res.output
    assert "# Dossier: Alice Adams" in res.stdout and "## Topic fit" in res.stdout
    out = tmp_path / "alice.html"
    res = runner.invoke(app, ["dossier", "Alice Adams", "--db", str(store_path), "--format",
                              "html", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "<h2>Risks</h2>" in out.read_text()
    res = runner.invoke(app, ["dossier", "P~Alice_Adams1", "--db", str(store_path), "--json"])
    assert json.loads(res.stdout)["person"]["name"] == "Alice Adams"

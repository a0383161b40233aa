"""`talentgraph source` and `talentgraph dossier` end to end on a fixture store."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from talentgraph.cli import app
from talentgraph.sourcing import learned

runner = CliRunner()


def test_source_json_ranks_and_explains(store_path: Path) -> None:
    res = runner.invoke(app, ["source", "reinforcement learning from human feedback", "--db",
                              str(store_path), "--at", "Lab A", "--limit", "5", "--json",
                              "--ranking", "hand"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["ranker"] == "hand"
    assert [p["name"] for p in data["people"]] == ["Alice Adams", "Dan Diaz"]
    alice = data["people"][0]
    assert {c["name"] for c in alice["components"]} == {"expertise", "impact", "output",
                                                        "network", "seniority", "mobility"}
    assert abs(sum(c["points"] for c in alice["components"]) - alice["score"]) < 1e-9
    assert alice["where"]["source"] == "careers" and alice["top_papers"]


def test_source_table_and_why(store_path: Path) -> None:
    res = runner.invoke(app, ["source", "graph neural networks", "--db", str(store_path),
                              "--why", "--role", "researcher", "--ranking", "hand"])
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


def _model_file(tmp_path: Path) -> Path:
    """A small lambdarank model trained on made-up rows, in the shipped format."""
    lgb = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, len(learned.NAMES)))
    y = (x[:, 0] > 0.5).astype(int) + (x[:, 2] > 1)
    booster = lgb.train({"objective": "lambdarank", "num_leaves": 5, "min_data_in_leaf": 5,
                         "use_missing": False, "verbose": -1, "num_threads": 1},
                        lgb.Dataset(x, y, group=[20] * 20, feature_name=list(learned.NAMES)),
                        num_boost_round=10)
    path = tmp_path / "ranker.json"
    path.write_text(json.dumps(learned.model_from_lightgbm(booster.dump_model(), {})))
    return path


def test_source_explains_the_learned_ranking_in_words(store_path: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(learned, "MODEL_PATH", _model_file(tmp_path))
    res = runner.invoke(app, ["source", "human feedback", "--db", str(store_path), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["ranker"] == "learned" and data["people"]
    for p in data["people"]:
        assert p["components"], p["name"]
        assert all(c["evidence"].startswith(("raises the score", "lowers the score"))
                   for c in p["components"])
    res = runner.invoke(app, ["source", "human feedback", "--db", str(store_path), "--why"])
    assert res.exit_code == 0, res.output
    assert "what moved the score" in res.stdout and "the score: " in res.stdout
    assert "career stage" in res.stdout
    res = runner.invoke(app, ["dossier", "P~Alice_Adams1", "--db", str(store_path),
                              "--for-role", "human feedback"])
    assert res.exit_code == 0, res.output
    assert "learned ranking: #" in res.stdout and "the score: " in res.stdout


@pytest.mark.parametrize("argv,loaded", [
    (["talentgraph", "source", "x", "--why"], False),
    (["talentgraph", "ops", "--help"], True),
    (["talentgraph", "--help"], True),
    (["pytest", "tests"], True),  # imported as a library: the whole app
])
def test_source_starts_without_the_ops_store_library(argv: list[str], loaded: bool) -> None:
    """`source` does not pay for SQLAlchemy (~0.5 s of start-up): only `ops` needs it."""
    import subprocess
    import sys

    code = (f"import sys; sys.argv = {argv!r}; import talentgraph.cli; "
            "m = sys.modules['talentgraph.cli.main']; "
            "print('sqlalchemy' in sys.modules, any(g.name == 'ops' "
            "for g in m.app.registered_groups))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == [str(loaded), str(loaded)]


def test_a_hand_ranked_search_starts_without_numpy_pycountry_or_the_fts_extension(
        store_path: Path) -> None:
    """Start-up a search does not pay for (issue #18): numpy (~70 ms: only the learned ranking
    needs it), pycountry (only --country) and the FTS extension (~50 ms to load: the query's
    words are looked up in sourcing_words)."""
    import subprocess
    import sys

    code = ("import sys\n"
            f"sys.argv = ['talentgraph', 'source', 'graph neural networks', '--db', "
            f"{str(store_path)!r}, '--ranking', 'hand', '--json']\n"
            "from talentgraph.cli.main import main\n"
            "main()\n"
            "print([m for m in ('numpy', 'pycountry', 'duckdb_extension_fts') "
            "if m in sys.modules], file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout)["people"]
    assert out.stderr.strip() == "[]"

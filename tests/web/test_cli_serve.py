"""`talentgraph serve` is wired into the CLI with the documented options."""

from __future__ import annotations

from typer.testing import CliRunner

from talentgraph.cli import app


def test_serve_help_lists_the_options() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for option in ("--db", "--ops-db", "--host", "--port", "--secure-cookies"):
        assert option in result.output

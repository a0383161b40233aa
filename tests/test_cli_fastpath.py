"""cli/fastpath.py reads a plain command line as Typer does, and leaves every other one to it."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from talentgraph.cli import fastpath, sourcing

main = importlib.import_module("talentgraph.cli.main")  # the package exports main(), not it

PLAIN = [
    ["diffusion models"],
    ["x", "--why", "--json"],
    ["q", "--at", "Google", "--at", "MIT", "--not-at=Meta", "--role", "phd", "--since", "2021",
     "--country", "US", "--limit", "5", "--ranking", "hand", "--db", "/tmp/x.duckdb"],
    ["--limit", "3", "--db=store.duckdb", "reinforcement learning"],
    ["q", "--since=0", "--not-at", "a b", "--not-at", "c"],
]
NOT_PLAIN = [
    [], ["--help"], ["q", "--help"], ["q", "--bogus"], ["q", "--limit", "x"],
    ["q", "--limit", "+3"], ["q", "--limit", "007"], ["q", "--limit", "-3"],
    ["q", "--role", "phd", "--role", "senior"], ["q", "--", "x"], ["q", "r"], ["q", "--at"],
    ["q", "--why=yes"], ["q", "--why", "--why"], ["-x"], ["q", "--at", "--why"],
    ["q", "--db", ""], ["-"],
]


def typer_kwargs(fn: Callable[..., Any], args: list[str]) -> dict[str, Any]:
    """The keyword arguments Typer calls `fn` with for `args`."""
    seen: dict[str, Any] = {}

    @functools.wraps(fn)
    def capture(**kwargs: Any) -> None:
        seen.update(kwargs)

    app = typer.Typer()
    app.command()(capture)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return seen


@pytest.mark.parametrize("args", PLAIN)
def test_a_plain_command_line_gets_typers_arguments(args: list[str]) -> None:
    ours = fastpath.parse(sourcing.source, args)
    theirs = typer_kwargs(sourcing.source, args)
    assert ours == theirs
    assert {k: type(v) for k, v in ours.items()} == {k: type(v) for k, v in theirs.items()}


@pytest.mark.parametrize("args", NOT_PLAIN)
def test_anything_else_is_left_to_typer(args: list[str]) -> None:
    assert fastpath.parse(sourcing.source, args) is None


def test_main_runs_source_without_typer_and_falls_back_for_usage_errors(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setitem(main.FAST, "source", functools.wraps(sourcing.source)(
        lambda **kw: calls.append(kw)))
    monkeypatch.setattr(main, "app", lambda: pytest.fail("Typer ran a plain command line"))
    monkeypatch.setattr("sys.argv", ["talentgraph", "source", "diffusion", "--why"])
    main.main()
    assert calls and calls[0]["query"] == "diffusion" and calls[0]["why"] is True
    # a usage error raised by the command: Typer runs the command line and reports it
    monkeypatch.undo()
    monkeypatch.setattr("sys.argv", ["talentgraph", "source", "q", "--ranking", "bogus"])
    with pytest.raises(SystemExit) as exit_info:
        main.main()
    assert exit_info.value.code == 2
    assert "--ranking must be learned or hand" in capsys.readouterr().err

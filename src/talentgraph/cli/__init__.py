"""The `talentgraph` command: a thin interface over the library (every command calls the core).

`main.py` builds the Typer app from one module per domain (careers, people, orgs, sourcing, ops,
web); `common.py` holds what they share."""

from talentgraph.cli.main import app, main

__all__ = ["app", "main"]

"""Where things live: the store, the corpus, the cache."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir, user_data_dir

from talentgraph.errors import CorpusNotFoundError

APP = "talentgraph"
PAPERLISTS_ENV = "TALENTGRAPH_PAPERLISTS"
DB_ENV = "TALENTGRAPH_DB"
ROR_ENV = "TALENTGRAPH_ROR"
ROR_FILE = "ror-records.jsonl.gz"
NO_ROR = "none"
POSITIONS_ENV = "TALENTGRAPH_POSITIONS"
PAPERLISTS_REPO = "https://github.com/papercopilot/paperlists"
PAPERLISTS_ARCHIVE = "https://codeload.github.com/papercopilot/paperlists/tar.gz/refs/heads/main"


def default_db_path() -> Path:
    """The analytical store: `$TALENTGRAPH_DB`, else a file in the user's data directory."""
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV])
    return Path(user_data_dir(APP)) / "talentgraph.duckdb"


def find_positions(given: Path | None = None, cwd: Path | None = None) -> Path | None:
    """The AI Watch positions file: `--positions`, else $TALENTGRAPH_POSITIONS, else
    ../shared/data/aiwatch/positions.csv; None when there is none (positions are optional) or
    when `--positions` or $TALENTGRAPH_POSITIONS is "none" (a build without positions).
    Raises CorpusNotFoundError when a path given or set does not exist."""
    for what, value in (("--positions", given), (f"${POSITIONS_ENV}",
                                                  os.environ.get(POSITIONS_ENV))):
        if value and str(value).lower() == NO_ROR:  # "none", as for ROR
            return None
        if value:
            if not Path(value).exists():
                raise CorpusNotFoundError(f"{what} names no file or folder: {value}")
            return Path(value)
    here = (cwd or Path.cwd()).resolve()
    for base in (here, *here.parents):
        candidate = base.parent / "shared" / "data" / "aiwatch" / "positions.csv"
        if candidate.is_file():
            return candidate
        if base == base.parent:
            break
    return None


def cache_dir() -> Path:
    return Path(user_cache_dir(APP))


def find_paperlists(given: list[Path] | None = None, cwd: Path | None = None) -> list[Path]:
    """Corpus folders: `--paperlists`, else $TALENTGRAPH_PAPERLISTS, else ../shared/data/paperlists.

    The downloaded cache (`talentgraph download`) is the last resort. Raises CorpusNotFoundError
    with the way to get the corpus when none is found.
    """
    if given:
        missing = [p for p in given if not Path(p).is_dir()]
        if missing:
            raise CorpusNotFoundError(f"--paperlists folder not found: {missing[0]}")
        return [Path(p) for p in given]
    env = os.environ.get(PAPERLISTS_ENV)
    if env:
        dirs = [Path(p) for p in env.split(os.pathsep) if p]
        missing = [p for p in dirs if not p.is_dir()]
        if missing:
            raise CorpusNotFoundError(
                f"${PAPERLISTS_ENV} names a folder that does not exist: {missing[0]}")
        return dirs
    here = (cwd or Path.cwd()).resolve()
    for base in (here, *here.parents):
        candidate = base.parent / "shared" / "data" / "paperlists"
        if candidate.is_dir():
            return [candidate]
        if base == base.parent:
            break
    cached = cache_dir() / "paperlists"
    if cached.is_dir():
        return [cached]
    raise CorpusNotFoundError(
        "No paperlists corpus found. Pass --paperlists DIR, set "
        f"${PAPERLISTS_ENV}, or place it at ../shared/data/paperlists. The corpus is the public "
        f"papercopilot/paperlists repository ({PAPERLISTS_REPO}); `talentgraph download` "
        f"fetches it over HTTP into {cached}."
    )


def find_ror(given: Path | None = None, cwd: Path | None = None) -> Path | None:
    """The ROR dump: `--ror`, else $TALENTGRAPH_ROR, else ../shared/data/ror/ror-records.jsonl.gz
    (looked for from the working directory up, like the corpus); None when there is none, or
    when `--ror` or $TALENTGRAPH_ROR is "none" (a build without ROR). A path given but missing
    raises CorpusNotFoundError."""
    if given is not None and str(given).lower() == NO_ROR:
        return None
    if given is not None:
        if not Path(given).is_file():
            raise CorpusNotFoundError(f"--ror file not found: {given}")
        return Path(given)
    env = os.environ.get(ROR_ENV)
    if env and env.lower() == NO_ROR:
        return None
    if env:
        if not Path(env).is_file():
            raise CorpusNotFoundError(f"${ROR_ENV} names a file that does not exist: {env}")
        return Path(env)
    here = (cwd or Path.cwd()).resolve()
    for base in (here, *here.parents):
        candidate = base.parent / "shared" / "data" / "ror" / ROR_FILE
        if candidate.is_file():
            return candidate
        if base == base.parent:
            break
    return None

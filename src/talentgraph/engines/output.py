"""The output folder of a Spark build: versions of Parquet tables and a serving store, switched
in at the end.

    OUT/
      current -> builds/20261208T002233Z     (a symbolic link, replaced atomically)
      builds/20261208T002233Z/
        tables/<table>/part-*.parquet          (every contract table and what serving reads)
        serving.duckdb                         (the same tables loaded for the serving side)
        build.json                             (what ran where, and how long)

A build writes `builds/<stamp>.partial/`, renames it when complete and only then points
`current` at it: a killed build leaves the previous `current` as it was (its `.partial`
folder is removed by the next build). Every command taking `--db` accepts OUT (store/db.py).
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

CURRENT = "current"
SERVING = "serving.duckdb"
BUILDS = "builds"
KEEP = 2  # finished builds kept: the current one and the one before it


def new_build_dir(out: Path) -> Path:
    """A fresh `.partial` folder for a build under `out` (earlier unfinished ones removed)."""
    builds = out / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    for stale in builds.glob("*.partial"):
        shutil.rmtree(stale, ignore_errors=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = builds / f"{stamp}.partial"
    path.mkdir()
    return path


def switch(out: Path, partial: Path) -> Path:
    """Make the finished build `partial` the current one, atomically; older ones beyond
    `KEEP` are removed."""
    done = partial.with_name(partial.name.removesuffix(".partial"))
    partial.rename(done)
    link = out / CURRENT
    tmp = out / f".{CURRENT}.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(Path(BUILDS) / done.name)
    os.replace(tmp, link)  # rename(2) over the old link: readers see old or new, never none
    finished = sorted(p for p in (out / BUILDS).iterdir()
                      if p.is_dir() and not p.name.endswith(".partial"))
    for old in finished[:-KEEP]:
        if old.resolve() != done.resolve():
            shutil.rmtree(old, ignore_errors=True)
    return done


def serving_store(path: Path) -> Path | None:
    """The serving store of a Spark build's output folder, or None if `path` is not one."""
    candidate = path / CURRENT / SERVING
    return candidate if path.is_dir() and candidate.exists() else None

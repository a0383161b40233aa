"""The web tests' world plus what issue #15's reading problems need: two researchers named
Qiang Liu at different universities, and two people who left Google DeepMind for Physical
Intelligence, one of them under a misspelt name ("Physical Intelliigence") in the records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from . import served
from .world import write_world

# OpenReview id -> (name, [(first year, last year, affiliation, domain, country)])
EXTRA = {
    "~Qiang_Liu1": ("Qiang Liu", [(2019, 2024, "Tsinghua University", "tsinghua.edu.cn",
                                   "China")]),
    "~Qiang_Liu2": ("Qiang Liu", [(2019, 2024, "The University of Texas at Austin",
                                   "utexas.edu", "United States")]),
    "~Ivan_Jones1": ("Ivan Jones", [(2019, 2021, "DeepMind", "deepmind.com", "United Kingdom"),
                                    (2022, 2024, "Physical Intelligence", "", "United States")]),
    "~Jia_Kim1": ("Jia Kim", [(2019, 2021, "DeepMind", "deepmind.com", "United Kingdom"),
                              (2022, 2024, "Physical Intelliigence", "", "United States")]),
    "~Kofi_Lee1": ("Kofi Lee", [(2019, 2024, "Physical Intelligence", "", "United States")]),
}
PAPERS_PER_YEAR = {"~Kofi_Lee1": 4}


def _record(pid: str, year: int, k: int) -> dict:
    name, spells = EXTRA[pid]
    aff, dom, country = next((a, d, c) for y0, y1, a, d, c in spells if y0 <= year <= y1)
    rid = f"x{year}{pid.strip('~').lower()}{k}"
    return {"id": rid, "title": f"Robot learning note {k + 1} by {name} ({year}, {pid})",
            "track": "main", "status": "Poster", "abstract": "Robot learning.",
            "keywords": "robot learning", "tldr": "", "author": name, "authorids": pid,
            "or_profile": pid, "aff": aff, "aff_domain": dom, "position": "Researcher",
            "site": f"https://openreview.net/forum?id={rid}", "aff_unique_index": "0",
            "aff_unique_norm": aff, "aff_country_unique_index": "0",
            "aff_country_unique": country}


def write_readux_world(folder: Path) -> Path:
    write_world(folder)
    for year in range(2019, 2025):
        recs = [_record(pid, year, k) for pid in EXTRA
                for k in range(PAPERS_PER_YEAR.get(pid, 2))]
        path = folder / "nips" / f"nips{year}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("[\n" + ",\n".join(json.dumps(r) for r in recs) + "\n]\n",
                        encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("readux")
    return served.build(root, write_readux_world(root / "corpus"))


@pytest.fixture(scope="module")
def app(world: dict):
    return served.app_for(world)

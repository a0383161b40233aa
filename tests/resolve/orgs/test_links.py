"""The curated links between organisations (resolve/orgs/links.csv)."""

from __future__ import annotations

from pathlib import Path

import pytest

from talentgraph.errors import OrgDataError
from talentgraph.resolve.orgs.links import links


def test_curated_links_name_known_organisations():
    got = links()
    assert frozenset(("google-brain", "google-research")) in got
    assert frozenset(("deepmind", "google")) in got


def test_unknown_organisation_names_the_line(tmp_path: Path):
    bad = tmp_path / "links.csv"
    bad.write_text("org_a,org_b,note\ngoogle,no-such-org,x\n", encoding="utf-8")
    with pytest.raises(OrgDataError, match="line 2"):
        links.__wrapped__(bad)

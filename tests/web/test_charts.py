"""Charts from the per-process spec equal the charts Altair builds for the same rows."""

from __future__ import annotations

from talentgraph.web import charts

ROWS = {
    "timeline": ([{"org": "A", "start": 2019, "end": 2021, "years": "2019-2020", "kind": "home",
                   "confidence": 0.9, "roles": "x"}], 60),
    "flow_pairs": ([{"from": "A", "to": "B", "moves": 3}, {"from": "B", "to": "C", "moves": 1}],
                   120),
    "net_flows": ([{"org": "A", "net": -2, "joined": 1, "left": 3}], 80),
    "destinations": ([{"to": "B", "people": 2}], 60),
    "funnel": ([{"stage": "sourced", "candidates": 2, "order": 0}], 220),
}


def test_copied_specs_equal_altair_specs() -> None:
    for kind, (rows, height) in ROWS.items():
        build = getattr(charts, f"_{kind}_chart")
        direct = charts._spec(build(rows, height))
        for _ in range(2):  # the first call builds the kept spec, the second copies it
            assert charts._with_rows(kind, build, rows, height) == direct, kind


def test_public_chart_functions() -> None:
    spec = charts.timeline([{"org": "A", "org_id": "a", "start_year": 2019, "end_year": 2020,
                             "kind": "home", "confidence": 0.9, "roles": ["x"]}])
    assert spec["data"]["values"][0]["end"] == 2021 and spec["height"] == 60
    assert charts.timeline([]) is None
    assert charts.funnel({"sourced": 2, "hired": 0})["data"]["values"][1]["stage"] == "hired"
    a = charts.net_flows([{"org": "A", "org_id": "a", "net": 1, "joined": 1, "left": 0}])
    b = charts.net_flows([{"org": "B", "org_id": "b", "net": 2, "joined": 2, "left": 0}])
    assert a["data"]["values"][0]["org"] == "A" and b["data"]["values"][0]["org"] == "B"

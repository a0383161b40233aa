"""Vega-Lite specs (built with Altair, rendered in the browser by the vendored vega-embed).

Altair builds each kind of chart once per process (~50-80 ms of CPU each time, the most expensive
part of a profile page); a page's chart is a copy of that spec with its own rows and height.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

import altair as alt

WIDTH = "container"
_SPECS: dict[str, dict[str, Any]] = {}
_LOCK = threading.Lock()


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    # validate=False: the schemas are fixed here, and validation costs time on every page view
    return chart.to_dict(validate=False)


def _with_rows(kind: str, build: Callable[[list[dict[str, Any]], int], alt.TopLevelMixin],
               rows: list[dict[str, Any]], height: int) -> dict[str, Any]:
    """`build(rows, height)`'s spec, from a spec built once for `kind` (rows and height are the
    only parts that change: a test compares both ways)."""
    with _LOCK:
        spec = _SPECS.get(kind)
    if spec is None:
        spec = _spec(build([], 0))
        with _LOCK:
            _SPECS[kind] = spec
    out = copy.deepcopy(spec)
    out["data"] = {"values": rows}
    out["height"] = height
    return out


def timeline(spells: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A person's spells as bars from the first to the last year seen (inclusive)."""
    if not spells:
        return None
    rows = [{"org": s.get("org") or s.get("org_id"), "start": s["start_year"],
             "end": s["end_year"] + 1, "years": f"{s['start_year']}-{s['end_year']}",
             "kind": s.get("kind"), "confidence": s.get("confidence"),
             "roles": ", ".join(s.get("roles") or [])} for s in spells]
    return _with_rows("timeline", _timeline_chart, rows,
                      max(60, 28 * len({r["org"] for r in rows})))


def _timeline_chart(rows: list[dict[str, Any]], height: int) -> alt.TopLevelMixin:
    return alt.Chart(alt.Data(values=rows)).mark_bar(cornerRadius=3).encode(
        x=alt.X("start:Q", title="year", axis=alt.Axis(format="d", tickMinStep=1),
                scale=alt.Scale(zero=False)),
        x2="end:Q",
        y=alt.Y("org:N", title=None, sort=alt.SortField("start")),
        color=alt.Color("kind:N", title="spell"),
        tooltip=["org:N", "years:N", "kind:N", "roles:N", "confidence:Q"],
    ).properties(width=WIDTH, height=height, title="Affiliation timeline")


def flow_pairs(pairs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Moves between pairs of organisations, as a from x to matrix."""
    if not pairs:
        return None
    rows = [{"from": p["from_org"] or p["from_id"], "to": p["to_org"] or p["to_id"],
             "moves": p["moves"]} for p in pairs]
    return _with_rows("flow_pairs", _flow_pairs_chart, rows, max(120, 26 * len(rows)))


def _flow_pairs_chart(rows: list[dict[str, Any]], height: int) -> alt.TopLevelMixin:
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("to:N", title="to", axis=alt.Axis(labelAngle=-40, labelLimit=130)),
        y=alt.Y("from:N", title="from", axis=alt.Axis(labelLimit=200)))
    heat = base.mark_rect().encode(color=alt.Color("moves:Q", scale=alt.Scale(scheme="blues")),
                                   tooltip=["from:N", "to:N", "moves:Q"])
    text = base.mark_text(fontWeight="bold").encode(text="moves:Q")
    return (heat + text).properties(width=WIDTH, height=height,
                                    title="Moves from one organisation to another")


def net_flows(net: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Net gain or loss of people per organisation."""
    if not net:
        return None
    rows = [{"org": n["org"] or n["org_id"], "net": n["net"], "joined": n["joined"],
             "left": n["left"]} for n in net]
    return _with_rows("net_flows", _net_flows_chart, rows, max(80, 22 * len(rows)))


def _net_flows_chart(rows: list[dict[str, Any]], height: int) -> alt.TopLevelMixin:
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("net:Q", title="net gain (joined - left)", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("org:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220)),
        color=alt.condition("datum.net >= 0", alt.value("#15803d"), alt.value("#b91c1c")),
        tooltip=["org:N", "joined:Q", "left:Q", "net:Q"],
    ).properties(width=WIDTH, height=height, title="Net gain or loss")


def destinations(dest: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not dest:
        return None
    rows = [{"to": d["to"] or "unknown", "people": d["n"]} for d in dest]
    return _with_rows("destinations", _destinations_chart, rows, max(60, 24 * len(rows)))


def _destinations_chart(rows: list[dict[str, Any]], height: int) -> alt.TopLevelMixin:
    return alt.Chart(alt.Data(values=rows)).mark_bar(color="#1d4ed8").encode(
        x=alt.X("people:Q", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("to:N", sort="-x", title="went to", axis=alt.Axis(labelLimit=220)),
        tooltip=["to:N", "people:Q"]).properties(width=WIDTH, height=height,
                                                 title="Where those who left went")


def funnel(counts: dict[str, int]) -> dict[str, Any] | None:
    if not any(counts.values()):
        return None
    rows = [{"stage": k, "candidates": v, "order": i} for i, (k, v) in enumerate(counts.items())]
    return _with_rows("funnel", _funnel_chart, rows, 220)


def _funnel_chart(rows: list[dict[str, Any]], height: int) -> alt.TopLevelMixin:
    return alt.Chart(alt.Data(values=rows)).mark_bar(color="#4f46e5").encode(
        x=alt.X("candidates:Q", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("stage:N", sort=alt.SortField("order"), title=None),
        tooltip=["stage:N", "candidates:Q"]).properties(width=WIDTH, height=height,
                                                        title="Pipeline funnel")


def offer_years(offer: dict[str, Any]) -> dict[str, Any] | None:
    """Our offer against the competing one, year by year (or ours alone)."""
    cmp = offer.get("comparison")
    rows: list[dict[str, Any]] = []
    if cmp:
        theirs_label = cmp.get("company") or "competing"
        for side, label in (("ours", "our offer"), ("theirs", theirs_label)):
            for y in cmp[side]["years"]:
                rows.append({"year": f"year {y['year']}", "package": label,
                             "total": y["total"], "cumulative": y["cumulative"]})
    else:
        for y in offer.get("yearly_totals") or []:
            rows.append({"year": f"year {y['year']}", "package": "our offer",
                         "total": y["total"], "cumulative": y.get("cumulative")})
    if not rows:
        return None
    currency = offer.get("currency") or ""
    labels = list(dict.fromkeys(r["package"] for r in rows))  # ours first, always green
    chart = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("year:N", title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("package:N", sort=labels),
        y=alt.Y("total:Q", title=f"total compensation ({currency})", axis=alt.Axis(format="~s"),
                scale=alt.Scale(nice=True)),
        color=alt.Color("package:N", title=None, sort=labels,
                        scale=alt.Scale(domain=labels, range=["#15803d", "#9ca3af"][:len(labels)])),
        tooltip=["package:N", "year:N", alt.Tooltip("total:Q", format=",.0f"),
                 alt.Tooltip("cumulative:Q", format=",.0f")],
    ).properties(width=WIDTH, height=260, title="Year-by-year total compensation")
    return _spec(chart)

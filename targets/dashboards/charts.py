"""Charts as pure functions: data in, a Plotly figure out.

A figure is returned in Plotly's own JSON form (``{"data": [...], "layout": {...}}``), which
``plotly.graph_objects.Figure(fig)`` accepts and ``Plotly.newPlot`` draws. Building the dict
directly costs microseconds where a validated ``go.Figure`` costs ~20 ms, which matters on
the overview. Templates pass it through ``json_script``; ``static/targets/dashboard.js``
draws it. Status is always written as text next to its colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from targets import periods

FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
COLORS = {
    "green": "#15803d",
    "yellow": "#ca8a04",
    "red": "#b91c1c",
    "none": "#94a3b8",
    "actual": "#1d4ed8",
    "plan": "#94a3b8",
    "target": "#b42318",
    "asof": "#616e7c",
}


def _num(value: Decimal | float | int | None) -> float | None:
    """Plotly draws floats: figures stay Decimal everywhere else."""
    return None if value is None else float(value)


def wrap(label: str, width: int = 9) -> str:
    """Break a long Chinese category label into lines of ``width`` characters, so a phone
    keeps room for the bars."""
    return "<br>".join(label[i : i + width] for i in range(0, len(label), width))


def _layout(**extra) -> dict:
    layout = {
        "font": {"family": FONT, "size": 13},
        "margin": {"l": 48, "r": 16, "t": 36, "b": 40},
        "legend": {"orientation": "h", "y": -0.18},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "autosize": True,
        "hovermode": "x unified",
    }
    layout.update(extra)
    return layout


def status_counts(groups: Sequence[tuple[str, dict[str, int]]], labels: dict[str, str]) -> dict:
    """Stacked horizontal bars: for each group (e.g. a briefing section) how many indicators
    are green, yellow or red. ``groups`` is [(name, {status: count})], ``labels`` {status:
    Chinese label}. Counts are printed on the bars with the status label, so the chart
    reads without colour. Indicators without a plan to judge against ("none": counts such
    as hazards found) are left out: the cards count them, and here fifty of them would
    dwarf the three that are behind."""
    names = [wrap(name) for name, _counts in groups]
    data = []
    for status in ("green", "yellow", "red"):
        values = [counts.get(status, 0) for _name, counts in groups]
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": labels[status],
                "y": names,
                "x": values,
                "text": [f"{labels[status]} {v}" if v else "" for v in values],
                "textposition": "inside",
                "insidetextanchor": "middle",
                "marker": {"color": COLORS[status]},
                "hovertemplate": "%{y}<br>" + labels[status] + " %{x}<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(
            barmode="stack",
            height=max(220, 58 * len(names) + 90),
            yaxis={"autorange": "reversed", "automargin": True},
            xaxis={"rangemode": "tozero"},
            legend={"orientation": "h", "y": -0.12, "traceorder": "normal"},
            uniformtext={"minsize": 10, "mode": "hide"},
            hovermode="closest",
            margin={"l": 8, "r": 8, "t": 12, "b": 40},
        ),
    }


def headline_progress(items: Sequence[dict]) -> dict:
    """Completion against target for the headline figures, with each one's time progress
    as a marker: bars are "完成 %", diamonds "时间进度 %". ``items`` are dicts with
    ``name``, ``done_percent`` and ``time_percent`` (Decimal, 0..100+)."""
    names = [wrap(item["name"]) for item in items]
    done = [_num(item["done_percent"]) for item in items]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": _("完成进度"),
                "y": names,
                "x": done,
                "text": [f"{v:.1f}%" if v is not None else _("无数据") for v in done],
                "textposition": "auto",
                "marker": {"color": COLORS["actual"]},
                "hovertemplate": "%{y}<br>" + _("完成进度") + " %{x:.1f}%<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": _("时间进度"),
                "y": names,
                "x": [_num(item["time_percent"]) for item in items],
                "marker": {"symbol": "line-ns", "size": 26, "line": {"width": 3, "color": COLORS["target"]}},
                "hovertemplate": "%{y}<br>" + _("时间进度") + " %{x:.1f}%<extra></extra>",
            },
        ],
        "layout": _layout(
            height=max(200, 56 * len(names) + 80),
            yaxis={"autorange": "reversed", "automargin": True},
            xaxis={"ticksuffix": "%", "rangemode": "tozero"},
            hovermode="closest",
            margin={"l": 8, "r": 12, "t": 12, "b": 40},
        ),
    }


def burn_up(
    days: Sequence[date],
    cumulative_actual: Sequence[Decimal | None],
    cumulative_planned: Sequence[Decimal | None],
    *,
    target: Decimal | None,
    as_of: date | None,
    unit: str = "",
) -> dict:
    """Cumulative actual against cumulative plan over the plan's days, the target as a
    horizontal line and the as-of date as a vertical line (unit: the indicator's)."""
    x = [day.isoformat() for day in days]
    shapes, annotations = [], []
    if target is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": _num(target),
                "y1": _num(target),
                "line": {"color": COLORS["target"], "dash": "dash", "width": 1.5},
            }
        )
        annotations.append(
            {
                "xref": "paper",
                "x": 0,
                "y": _num(target),
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "text": _("目标 %(value)s") % {"value": f"{target.normalize():f}{unit}"},
                "font": {"color": COLORS["target"]},
            }
        )
    if as_of is not None:
        shapes.append(
            {
                "type": "line",
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "x0": as_of.isoformat(),
                "x1": as_of.isoformat(),
                "line": {"color": COLORS["asof"], "dash": "dot", "width": 1.5},
            }
        )
        annotations.append(
            {
                "yref": "paper",
                "y": 1,
                "x": as_of.isoformat(),
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "text": _("截至 %(date)s") % {"date": as_of.isoformat()},
                "font": {"color": COLORS["asof"]},
            }
        )
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("累计计划"),
                "x": x,
                "y": [_num(v) for v in cumulative_planned],
                "line": {"color": COLORS["plan"], "dash": "dash", "width": 2},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("累计完成"),
                "x": x,
                "y": [_num(v) for v in cumulative_actual],
                "line": {"color": COLORS["actual"], "width": 3},
                "connectgaps": False,
            },
        ],
        "layout": _layout(
            height=340,
            shapes=shapes,
            annotations=annotations,
            yaxis={"title": {"text": unit}, "rangemode": "tozero", "automargin": True},
            xaxis={"type": "date", "tickformat": "%m-%d"},
        ),
    }


def _bars(name: str, labels: Sequence[str], values: Sequence, color: str) -> dict:
    """One bar trace: a value per period label."""
    return {
        "type": "bar",
        "name": name,
        "x": list(labels),
        "y": [_num(v) for v in values],
        "marker": {"color": color},
    }


def actual_vs_plan(labels: Sequence[str], actual: Sequence, planned: Sequence, *, unit: str = "") -> dict:
    """Bars of actual against plan for consecutive periods (days, 旬, months, quarters)."""
    return {
        "data": [
            _bars(_("计划"), labels, planned, COLORS["plan"]),
            _bars(_("完成"), labels, actual, COLORS["actual"]),
        ],
        "layout": _layout(
            height=320,
            barmode="group",
            yaxis={"title": {"text": unit}, "rangemode": "tozero", "automargin": True},
            xaxis={"type": "category", "automargin": True},
        ),
    }


def milestone_timeline(milestones: Sequence[dict], *, as_of: date | None) -> dict:
    """A project's milestones: one row each, the planned date as a hollow marker, the
    actual date as a filled one joined by a line (late steps in red, with text).
    ``milestones`` are dicts with ``name``, ``planned`` and ``actual`` (date or None) and
    ``state`` text (按期/逾期/未到期)."""
    names = [m["name"] for m in milestones]
    data = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": _("计划日期"),
            "y": names,
            "x": [m["planned"].isoformat() if m["planned"] else None for m in milestones],
            "marker": {"symbol": "circle-open", "size": 14, "color": COLORS["plan"], "line": {"width": 2}},
            "hovertemplate": "%{y}<br>" + _("计划") + " %{x}<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers+text",
            "name": _("实际日期"),
            "y": names,
            "x": [m["actual"].isoformat() if m["actual"] else None for m in milestones],
            "text": [m.get("state", "") for m in milestones],
            "textposition": "top center",
            "marker": {
                "symbol": "circle",
                "size": 12,
                "color": [COLORS["red"] if m.get("late") else COLORS["green"] for m in milestones],
            },
            "hovertemplate": "%{y}<br>" + _("实际") + " %{x}<extra></extra>",
        },
    ]
    shapes = []
    if as_of is not None:
        shapes.append(
            {
                "type": "line",
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "x0": as_of.isoformat(),
                "x1": as_of.isoformat(),
                "line": {"color": COLORS["asof"], "dash": "dot", "width": 1.5},
            }
        )
    return {
        "data": data,
        "layout": _layout(
            height=max(200, 50 * len(names) + 100),
            shapes=shapes,
            yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
            xaxis={"type": "date", "tickformat": "%Y-%m-%d"},
            hovermode="closest",
        ),
    }


def found_vs_rectified(
    labels: Sequence[str], found: Sequence, rectified: Sequence, overdue: Sequence | None = None
) -> dict:
    """Hazards found and rectified per period (bars, counts) for one safety area and, when
    given, the hazards overdue at each period's end (a line: a level, not a flow)."""
    data = [
        _bars(_("发现隐患"), labels, found, COLORS["red"]),
        _bars(_("已整改"), labels, rectified, COLORS["green"]),
    ]
    if overdue is not None:
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("逾期未整改"),
                "x": list(labels),
                "y": [_num(v) for v in overdue],
                "line": {"color": COLORS["yellow"], "width": 2},
                "marker": {"size": 7},
            }
        )
    return {
        "data": data,
        "layout": _layout(
            height=260,
            barmode="group",
            yaxis={"rangemode": "tozero", "automargin": True},
            xaxis={"type": "category", "automargin": True},
            margin={"l": 40, "r": 8, "t": 12, "b": 40},
        ),
    }


def short_label(period_type: str, day: date) -> str:
    """A compact axis label: 10-01, 10月上旬, 10月, 第四季度 (the table keeps full labels);
    in English: 10-01, Oct (early), Oct, Q4."""
    if period_type == periods.DAY:
        return day.strftime("%m-%d")
    if get_language().startswith("en"):
        if period_type == periods.DEKAD:
            return f"{day:%b} ({periods.DEKAD_NAMES_EN[periods.dekad_index(day)]})"
        if period_type == periods.MONTH:
            return f"{day:%b}"
        if period_type == periods.QUARTER:
            return f"Q{periods.quarter_of(day)}"
        return periods.label_en(period_type, day)
    if period_type == periods.DEKAD:
        return f"{day.month}月{periods.DEKAD_NAMES_ZH[periods.dekad_index(day)]}"
    if period_type == periods.MONTH:
        return f"{day.month}月"
    if period_type == periods.QUARTER:
        return periods.QUARTER_NAMES_ZH[periods.quarter_of(day) - 1]
    return periods.label_zh(period_type, day)

"""Figures built by the pure functions of ``targets.dashboards.charts``."""

from targets.dashboards import charts

LABELS = {"green": "同步/超前", "yellow": "滞后", "red": "严重滞后", "none": "无计划"}


def test_section_bars_count_only_indicators_judged_against_a_plan():
    figure = charts.status_counts(
        [("保安全", {"green": 2, "red": 1, "none": 50}), ("稳经济", {"yellow": 1})], LABELS
    )
    bars = {trace["name"]: trace["x"] for trace in figure["data"]}
    assert bars == {"同步/超前": [2, 0], "滞后": [0, 1], "严重滞后": [1, 0]}
    # The status is written on the bar, not told by colour alone.
    red = next(trace for trace in figure["data"] if trace["name"] == "严重滞后")
    assert red["text"] == ["严重滞后 1", ""]

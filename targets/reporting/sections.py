"""Report sections contributed by other apps. ``targets`` never imports ``projects``; the
projects app registers its sections (key projects, open problems) from its
``AppConfig.ready`` and every week, month and quarter report includes them, numbered
after the lagging indicators.

A section is a function ``(period, as_of) -> ReportSection | None`` (``None``: nothing
to say for that period) rendered with its own template (``reports/_paragraphs.html``
draws ``context["paragraphs"]``, plain text, for a section that needs nothing more)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from targets import periods


@dataclass
class ReportSection:
    """One numbered section of a report: its heading (without the number), the template
    that draws it (it gets ``section`` and ``report``) and what the template reads."""

    title: str
    template: str
    context: dict = field(default_factory=dict)
    number: str = ""  # set by the report: 三、 四、 …


Builder = Callable[[periods.Period, date], "ReportSection | None"]

_registry: dict[str, tuple[int, Builder]] = {}


def register(key: str, builder: Builder, *, order: int = 100) -> None:
    """Add (or replace: ``ready`` may run twice) the section ``key``; sections are laid out
    by ``order``, then key."""
    _registry[key] = (order, builder)


def unregister(key: str) -> None:
    _registry.pop(key, None)


def build(period: periods.Period, as_of: date) -> list[ReportSection]:
    """Every registered section for the period, in order, those with nothing left out."""
    found = []
    for _key, (_order, builder) in sorted(_registry.items(), key=lambda item: (item[1][0], item[0])):
        section = builder(period, as_of)
        if section is not None:
            found.append(section)
    return found

"""The one way work plans are written: create a plan, copy one to another period, change
its indicators' targets, operators, responsible units, deadlines and month weights (the
grid and the XLSX import), publish and close it.

Every function is atomic and refuses a batch as a whole (``PlanRejected``, nothing
written) with a message per cell. A change to a published plan needs a reason, is
audited field by field and re-rolls the touched indicators once the transaction commits
(``targets.tasks.schedule_refresh``); a draft is nobody's figures yet, so it is neither.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from targets import audit, periods, signals
from targets import plan as plan_maths
from targets.models import VALUE_DIGITS, VALUE_PLACES, Department, Goal, Indicator, Plan
from targets.tasks import schedule_refresh

ALL = "__all__"
REASON_MAX = 1000
# Dates a plan may name: the calendar table and every page work within these.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
_NUMBER = re.compile(r"^[+]?(?:\d+(?:\.\d*)?|\.\d+)$")
_MONTH_KEY = re.compile(r"^(\d{4})-(\d{2})$")
_WEIGHT_KEY = re.compile(r"^(\d{4})-(\d{2})(-[123])?$")  # a month, or one of its 旬

OP_SYMBOLS = {Indicator.Op.EQ: "=", Indicator.Op.GTE: "≥", Indicator.Op.APPROX: "≈"}
# What a manager may type for an operator (the grid offers a select; the XLSX has text).
OP_WORDS = {
    "=": Indicator.Op.EQ,
    "＝": Indicator.Op.EQ,
    "eq": Indicator.Op.EQ,
    "≥": Indicator.Op.GTE,
    ">=": Indicator.Op.GTE,
    "gte": Indicator.Op.GTE,
    "以上": Indicator.Op.GTE,
    "≈": Indicator.Op.APPROX,
    "~": Indicator.Op.APPROX,
    "approx": Indicator.Op.APPROX,
    "约": Indicator.Op.APPROX,
    "近": Indicator.Op.APPROX,
}


def has_cadence() -> bool:
    """Whether indicators carry a reporting cadence (填报频次)."""
    return any(f.name == "cadence" for f in Indicator._meta.concrete_fields)


def cadence_choices() -> list[tuple[str, str]]:
    if not has_cadence():
        return []
    return list(Indicator._meta.get_field("cadence").choices)


# Fields a copy carries as they are (the plan, goal, dates, parts and targets are mapped;
# the names reworded for a new quarter, ``requarter``).
COPIED_FIELDS = (
    "code",
    "unit",
    "kind",
    "target_op",
    "min_value",
    "max_value",
    "decimals",
    "department_id",
    "source",
    "order",
)


def copied_fields() -> tuple[str, ...]:
    return COPIED_FIELDS + (("cadence",) if has_cadence() else ())


class PlanRejected(Exception):
    """A plan change refused as a whole; nothing was written. ``errors``:
    ``{(indicator id or row key, field): [messages]}`` plus ``"__all__": [messages]``."""

    def __init__(self, errors: dict):
        self.errors = {k: v for k, v in errors.items() if v}
        first = next((m[0] for m in self.errors.values() if m), "")
        super().__init__(first)

    def messages(self) -> list[str]:
        return [m for msgs in self.errors.values() for m in msgs]


def _refuse(message: str) -> PlanRejected:
    return PlanRejected({ALL: [message]})


# ---- periods and codes


def period_label(kind: str, start: date, end: date) -> str:
    """2022年第一季度, 2022年, or 2022-01-01至2022-05-31."""
    if kind == Plan.Kind.QUARTER:
        return periods.label_zh(periods.QUARTER, start)
    if kind == Plan.Kind.YEAR:
        return periods.label_zh(periods.YEAR, start)
    return f"{start.isoformat()}至{end.isoformat()}"


def period_kind(start: date, end: date) -> str:
    """The kind a period is: a calendar quarter, a calendar year, else a range."""
    if periods.period_of(periods.QUARTER, start) == periods.Period(periods.QUARTER, start, end):
        return Plan.Kind.QUARTER
    if periods.period_of(periods.YEAR, start) == periods.Period(periods.YEAR, start, end):
        return Plan.Kind.YEAR
    return Plan.Kind.RANGE


def check_period(kind: str, start: date, end: date) -> None:
    """Refuse a period that is not what its kind says, or out of order, or out of range."""
    if not (FIRST_DAY <= start <= LAST_DAY and FIRST_DAY <= end <= LAST_DAY):
        raise _refuse(_("日期须在2000年至2100年之间。"))
    if end < start:
        raise _refuse(_("结束日期不能早于开始日期。"))
    if kind == Plan.Kind.QUARTER and period_kind(start, end) != Plan.Kind.QUARTER:
        raise _refuse(_("季度计划须从季度首日到季度末日（如1月1日至3月31日）。"))
    if kind == Plan.Kind.YEAR and period_kind(start, end) != Plan.Kind.YEAR:
        raise _refuse(_("年度计划须从1月1日到12月31日。"))


def free_code(kind: str, start: date, end: date) -> str:
    """A plan code not taken yet: 2022q1, 2022, 20220101-20220531 (then -2, -3…)."""
    if kind == Plan.Kind.QUARTER:
        base = f"{start.year}q{periods.quarter_of(start)}"
    elif kind == Plan.Kind.YEAR:
        base = f"{start.year}"
    else:
        base = f"{start:%Y%m%d}-{end:%Y%m%d}"
    code, n = base, 1
    while Plan.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def _months_between(first: date, second: date) -> int:
    return (second.year - first.year) * 12 + second.month - first.month


def _add_months(day: date, months: int) -> date:
    """The same day ``months`` later; a month's last day stays its month's last day, a day
    past the new month's end becomes its last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    first = date(index // 12, index % 12 + 1, 1)
    last = periods.month_end(first)
    if day == periods.month_end(day):
        return last
    return first.replace(day=min(day.day, last.day))


@dataclass(frozen=True)
class Shift:
    """How a copy moves the dates of one indicator from the old period to the new one."""

    old_start: date
    old_end: date
    new_start: date
    new_end: date

    @property
    def by_months(self) -> int | None:
        """Whole months between the two periods' starts, when both start on a 1st."""
        if self.old_start.day == 1 and self.new_start.day == 1:
            return _months_between(self.old_start, self.new_start)
        return None

    def day(self, day: date) -> date:
        if self.by_months is not None:
            return _add_months(day, self.by_months)
        return day + (self.new_start - self.old_start)

    def indicator(self, ind: Indicator) -> tuple[date, date, date | None]:
        """(plan_start, plan_end, tracking_start) in the new period.

        - Running over the whole old period: the whole new period.
        - A whole calendar year (a full-year target tracked in one quarter): the calendar
          year of the new period's start, tracked from the new start.
        - Otherwise every date moves by the months (or days) between the periods' starts:
          a milestone due 31 October in Q4 is due 31 January in Q1."""
        start, end, tracking = ind.plan_start, ind.plan_end, ind.tracking_start
        if (start, end) == (self.old_start, self.old_end):
            return self.new_start, self.new_end, None
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
            year_start = date(self.new_start.year, 1, 1)
            tracked = self.new_start if self.new_start > year_start else None
            return year_start, date(self.new_start.year, 12, 31), tracked
        new_start, new_end = self.day(start), self.day(end)
        new_tracking = self.day(tracking) if tracking else None
        if new_tracking is not None and not (new_start < new_tracking <= new_end):
            new_tracking = None
        return new_start, new_end, new_tracking


def shift_weights(weights: dict | None, months: int, start: date, end: date) -> dict | None:
    """Month and 旬 weights moved ``months`` on, keeping only months of [start, end]."""
    if not weights:
        return None
    moved = {}
    for key, value in weights.items():
        match = _WEIGHT_KEY.match(str(key))
        if not match:
            continue
        first = _add_months(date(int(match[1]), int(match[2]), 1), months)
        if periods.month_end(first) >= start and first <= end:
            moved[f"{first:%Y-%m}{match[3] or ''}"] = value
    return moved or None


# ---- create and copy


@transaction.atomic
def plan_create(
    *, user, title: str, kind: str, start: date, end: date, source: str = "", title_en: str = ""
) -> Plan:
    """A new, empty draft plan for the period (a quarter, a year or a range)."""
    title = (title or "").strip()
    if not title:
        raise PlanRejected({(None, "title"): [_("请填写标题。")]})
    check_period(kind, start, end)
    plan = Plan.objects.create(
        code=free_code(kind, start, end),
        title=title[:200],
        title_en=(title_en or "").strip()[:300],
        kind=kind,
        start=start,
        end=end,
        source=(source or "").strip(),
        status=Plan.Status.DRAFT,
        created_by=user,
    )
    audit.record("plan_create", user=user, target=plan.code, title=plan.title)
    return plan


# A quarter's words in names: 四季度 (and 第四季度), Q4, fourth quarter.
QUARTER_ZH = {1: "一", 2: "二", 3: "三", 4: "四"}
QUARTER_EN = {1: "first", 2: "second", 3: "third", 4: "fourth"}


def requarter(text: str, plan: Plan, kind: str, start: date, *, year: bool = False) -> str:
    """``text`` of a quarter's plan reworded for the copy's quarter: 四季度/第四季度 →
    一季度/第一季度, Q4 → Q1, fourth quarter → first quarter (and, with ``year``, the
    year: 2021年 → 2022年). Unchanged unless both plans are quarters."""
    if plan.kind != Plan.Kind.QUARTER or kind != Plan.Kind.QUARTER or not text:
        return text
    old, new = periods.quarter_of(plan.start), periods.quarter_of(start)
    if old != new:
        text = text.replace(f"{QUARTER_ZH[old]}季度", f"{QUARTER_ZH[new]}季度")
        text = re.sub(rf"\bQ{old}\b", f"Q{new}", text)
        text = re.sub(
            rf"\b({QUARTER_EN[old]}|{QUARTER_EN[old].capitalize()})(?= quarter\b)",
            lambda m: QUARTER_EN[new] if m.group(1).islower() else QUARTER_EN[new].capitalize(),
            text,
        )
    if year and plan.start.year != start.year:
        text = re.sub(rf"(?<!\d){plan.start.year}(?=年|\b)", str(start.year), text)
    return text


def copy_title(plan: Plan, kind: str, start: date, end: date) -> str:
    """The copy's default title: the old period's words replaced by the new period's (a
    quarter's words and its year too, wherever they are), else the new period added."""
    old, new = period_label(plan.kind, plan.start, plan.end), period_label(kind, start, end)
    if old in plan.title:
        return plan.title.replace(old, new)
    reworded = requarter(plan.title, plan, kind, start, year=True)
    if reworded != plan.title:
        return reworded
    return f"{plan.title}（{new}）"


@dataclass
class Renaming:
    """A name the copy rewords for its quarter: ``key`` ("g<goal id>" or "i<indicator id>"),
    the old name and the proposed one."""

    key: str
    kind: str  # "goal" or "indicator"
    old: str
    new: str


def renamings(plan: Plan, kind: str, start: date) -> list[Renaming]:
    """The goal and indicator names a copy of ``plan`` for the quarter from ``start``
    rewords (四季度签约项目 → 一季度签约项目), goals first, in display order."""
    found = []
    for prefix, label, objects in (
        ("g", "goal", plan.goals.order_by("order", "code")),
        ("i", "indicator", plan.indicators.order_by("order", "code")),
    ):
        for obj in objects:
            new = requarter(obj.name, plan, kind, start)
            if new != obj.name:
                found.append(Renaming(f"{prefix}{obj.pk}", label, obj.name, new))
    return found


def still_running(plan: Plan, start: date) -> list[Indicator]:
    """The indicators of ``plan`` a copy for a period from ``start`` leaves where they are:
    those whose own plan runs past the plan's end into the new period (the briefing's
    recovery, due May 2022, in the Q4 2021 plan), and the ratios and sums computed from
    them. Such an indicator is still in force in its plan, where its clerk reports it and
    its target is judged over its whole span: a copy in the new plan would be a second
    row to report the same figure in, split between two targets. Empty when the new
    period does not start after the plan's end. In display order."""
    if start <= plan.end:
        return []
    indicators = list(plan.indicators.select_related("department").order_by("order", "code"))
    left = {i.pk for i in indicators if i.plan_end >= start}
    if not left:
        return []
    parts = defaultdict(set)
    for sum_id, part_id in Indicator.parts.through.objects.filter(from_indicator__plan=plan).values_list(
        "from_indicator_id", "to_indicator_id"
    ):
        parts[sum_id].add(part_id)
    grown = True
    while grown:  # a ratio or a sum of a running part runs with it (a ratio of a sum too)
        grown = False
        for ind in indicators:
            if ind.pk not in left and ({ind.numerator_id, ind.denominator_id} & left or parts[ind.pk] & left):
                left.add(ind.pk)
                grown = True
    return [i for i in indicators if i.pk in left]


@transaction.atomic
def plan_copy(
    *,
    plan: Plan,
    start: date,
    end: date,
    title: str,
    carry_targets: bool,
    user,
    kind: str | None = None,
    source: str | None = None,
    rename: bool = True,
    names: dict[str, str] | None = None,
) -> Plan:
    """A draft copy of ``plan`` for [start, end]: its goal tree (with ``supports``), its
    indicators (name, unit, kind, operator, department, decimals, range, cadence, order,
    ratios' numerator and denominator remapped to the copies), every date moved to the
    new period (``Shift.indicator``) with the month weights, and the targets carried
    (``carry_targets``) or left blank to fill. Opening figures are not carried: they
    belonged to the old period. Indicators still running into the new period
    (``still_running``) are not copied: they stay in force in ``plan`` alone, so each
    figure is reported once and counts toward one target.

    A quarter's plan copied to another quarter has the quarter's words in its goal and
    indicator names reworded (``requarter``: 四季度签约项目 → 一季度签约项目) unless
    ``rename`` is off; ``names`` ({"g<goal id>" or "i<indicator id>": name}) are the
    names the manager edited in the copy's preview, used as typed."""
    kind = kind or period_kind(start, end)
    check_period(kind, start, end)
    names = {key: " ".join(str(value).split())[:200] for key, value in (names or {}).items()}

    def renamed(key: str, name: str) -> str:
        return names.get(key) or (requarter(name, plan, kind, start) if rename else name)

    def renamed_en(name_en: str) -> str:
        return requarter(name_en, plan, kind, start) if rename else name_en

    title = (title or "").strip() or copy_title(plan, kind, start, end)
    copy = Plan.objects.create(
        code=free_code(kind, start, end),
        title=title[:200],
        title_en="",
        kind=kind,
        start=start,
        end=end,
        # The new period's document is a new one: the copy names its origin in copied_from.
        source=(source or "").strip(),
        status=Plan.Status.DRAFT,
        copied_from=plan,
        created_by=user,
    )
    goals = list(plan.goals.order_by("pk"))
    new_goals: dict[int, Goal] = {}
    pending = goals
    while pending:  # parents first, whatever the ids
        later = []
        for goal in pending:
            if goal.parent_id is not None and goal.parent_id not in new_goals:
                later.append(goal)
                continue
            new_goals[goal.pk] = Goal.objects.create(
                plan=copy,
                code=goal.code,
                name=renamed(f"g{goal.pk}", goal.name),
                name_en=renamed_en(goal.name_en),
                level=goal.level,
                parent=new_goals.get(goal.parent_id),
                description=goal.description,
                order=goal.order,
            )
        if len(later) == len(pending):  # pragma: no cover - a cycle the admin let through
            raise _refuse(_("目标树存在循环，无法复制。"))
        pending = later
    through = Goal.supports.through
    through.objects.bulk_create(
        through(from_goal_id=new_goals[row.from_goal_id].pk, to_goal_id=new_goals[row.to_goal_id].pk)
        for row in through.objects.filter(from_goal__plan=plan)
        if row.to_goal_id in new_goals
    )

    shift = Shift(plan.start, plan.end, start, end)
    new_indicators: dict[int, Indicator] = {}
    running = still_running(plan, start)
    left = {ind.pk for ind in running}
    indicators = sorted(
        (ind for ind in plan.indicators.all() if ind.pk not in left),
        key=lambda i: (i.kind == Indicator.Kind.RATIO, i.pk),
    )
    fields = copied_fields()
    for ind in indicators:
        new_start, new_end, tracking = shift.indicator(ind)
        months = _months_between(ind.plan_start, new_start)
        copied = Indicator(
            plan=copy,
            goal=new_goals[ind.goal_id],
            plan_start=new_start,
            plan_end=new_end,
            tracking_start=tracking,
            target_value=ind.target_value if carry_targets else None,
            monthly_weights=shift_weights(ind.monthly_weights, months, new_start, new_end),
            numerator=new_indicators.get(ind.numerator_id),
            denominator=new_indicators.get(ind.denominator_id),
            name=renamed(f"i{ind.pk}", ind.name),
            name_en=renamed_en(ind.name_en),
            **{name: getattr(ind, name) for name in fields},
        )
        copied.save()
        new_indicators[ind.pk] = copied
    # A sum (汇总) adds up the copies of its parts and checks the copy of its reported total.
    for ind in indicators:
        if ind.kind == Indicator.Kind.SUM:
            total = new_indicators[ind.pk]
            total.parts.set([new_indicators[pk] for pk in ind.parts.values_list("pk", flat=True)])
            if ind.reconciles_id in new_indicators:
                total.reconciles = new_indicators[ind.reconciles_id]
                total.save(update_fields=["reconciles"])
    signals.plan_copied.send(
        sender=Plan, source=plan, copy=copy, indicators={old: new.pk for old, new in new_indicators.items()}
    )
    audit.record(
        "plan_copy",
        user=user,
        target=copy.code,
        copied_from=plan.code,
        goals=len(new_goals),
        indicators=len(new_indicators),
        carry_targets=carry_targets,
        still_running=[ind.code for ind in running],
    )
    return copy


# ---- cells: parse what a manager typed


def _text(raw) -> str:
    return unicodedata.normalize("NFKC", str(raw)).strip().replace(" ", "").replace(",", "")


def parse_target(raw) -> Decimal | None:
    """A target value: empty is "no target"; otherwise a plain non-negative number with at
    most 4 decimal places (the database's), below 10¹⁴."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ValueError(_("目标值须为数字。"))
    if isinstance(raw, int | float | Decimal):
        text = repr(raw) if isinstance(raw, float) else str(raw)
    else:
        text = _text(raw)
    if not _NUMBER.match(text):
        if text.startswith("-"):
            raise ValueError(_("目标值不能为负数。"))
        raise ValueError(_("“%(raw)s”不是数字：请填写阿拉伯数字，如 433.2。") % {"raw": str(raw)[:20]})
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern refuses first
        raise ValueError(_("目标值须为数字。")) from None
    if max(0, -value.normalize().as_tuple().exponent) > VALUE_PLACES:
        raise ValueError(_("最多保留 %(n)d 位小数。") % {"n": VALUE_PLACES})
    if value >= Decimal(10) ** (VALUE_DIGITS - VALUE_PLACES):
        raise ValueError(_("数值过大。"))
    return value.quantize(plan_maths.PLACES)


def parse_op(raw) -> str:
    text = _text(raw or "").lower() if raw is not None else ""
    if not text:
        return Indicator.Op.EQ
    if text in Indicator.Op.values:
        return text
    if text in OP_WORDS:
        return OP_WORDS[text]
    raise ValueError(_("比较符须为 =、≥ 或 ≈。"))


def parse_day(raw) -> date:
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        day = raw
    else:
        text = _text(raw or "").replace("/", "-").replace(".", "-")
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(
                _("“%(raw)s”不是日期：请按 2022-03-31 的格式填写。") % {"raw": str(raw)[:20]}
            ) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(_("日期须在2000年至2100年之间。"))
    return day


def parse_weight(raw) -> Decimal | None:
    """A month weight: empty is "no weight"; otherwise a non-negative number (a share or a
    percentage: weights are normalised), at most 4 decimal places."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = repr(raw) if isinstance(raw, float) else _text(raw).rstrip("%")
    if not _NUMBER.match(text):
        raise ValueError(_("权重须为不小于0的数字。"))
    value = Decimal(text)
    if max(0, -value.normalize().as_tuple().exponent) > VALUE_PLACES:
        raise ValueError(_("权重最多保留 %(n)d 位小数。") % {"n": VALUE_PLACES})
    if value >= 10**6:
        raise ValueError(_("权重过大。"))
    return value


def month_keys(start: date, end: date) -> list[str]:
    return [f"{p.start:%Y-%m}" for p in periods.periods_between(periods.MONTH, start, end)]


def dekad_keys(start: date, end: date) -> list[str]:
    """The weight keys of the 旬 of [start, end]: ``2022-01-1`` (上旬) … ``2022-01-3``."""
    return [plan_maths.dekad_key(p.start) for p in periods.periods_between(periods.DEKAD, start, end)]


def weight_keys(start: date, end: date) -> set[str]:
    """Every key a weight of [start, end] may have: its months and their 旬."""
    return set(month_keys(start, end)) | set(dekad_keys(start, end))


def weights_text(weights: dict | None) -> str:
    """Month (and 旬) weights as one cell: 2022-01:30;2022-02:35;2022-02-1:2;2022-03:35."""
    if not weights:
        return ""
    return ";".join(f"{key}:{Decimal(str(value)).normalize():f}" for key, value in sorted(weights.items()))


WEIGHTS_FORMAT = _lazy(
    "权重须写成“2022-01:30;2022-02:35”，旬权重写成“2022-01-1:3”（1、2、3为上、中、下旬）。"
)


def parse_weights_text(raw) -> dict[str, Decimal] | None:
    if raw is None or not str(raw).strip():
        return None
    result = {}
    for part in re.split(r"[;；,，\s]+", str(raw).strip()):
        if not part:
            continue
        key, sep, value = part.replace("：", ":").partition(":")
        weight = parse_weight(value) if sep else None
        if weight is None or not _WEIGHT_KEY.match(key) or not 1 <= int(key[5:7]) <= 12:
            raise ValueError(WEIGHTS_FORMAT)
        result[key] = weight
    return result or None


def weight_sum_errors(weights: dict) -> list[str]:
    """What is wrong with the sums of checked weights: month weights must add up to more
    than 0, and so must the 旬 weights of each month that has any."""
    messages = []
    months = [v for k, v in weights.items() if _MONTH_KEY.match(k)]
    if months and sum(months) <= 0:
        messages.append(_("权重合计须大于0（全部留空表示按天平均分解）。"))
    by_month = defaultdict(list)
    for key, value in weights.items():
        if not _MONTH_KEY.match(key):
            by_month[key[:7]].append(value)
    for month, values in sorted(by_month.items()):
        if sum(values) <= 0:
            message = _("%(month)s 各旬权重合计须大于0（全部留空表示该月按天平均）。")
            messages.append(message % {"month": month})
    return messages


# ---- the decomposition a grid shows


@dataclass
class Decomposition:
    """An indicator's target spread over its months and 旬 (``targets.plan``): every
    figure a sum of its days' plan, so each list adds up exactly to ``total``."""

    months: list[tuple[periods.Period, Decimal]]
    dekads: list[tuple[periods.Period, Decimal]]
    total: Decimal

    @property
    def month_sum(self) -> Decimal:
        return sum((v for _p, v in self.months), Decimal("0"))

    @property
    def dekad_sum(self) -> Decimal:
        return sum((v for _p, v in self.dekads), Decimal("0"))

    @property
    def exact(self) -> bool:
        return self.month_sum == self.total == self.dekad_sum


def decomposition(
    *, target: Decimal | None, start: date, end: date, weights: dict | None, milestone: bool = False
) -> Decomposition | None:
    """The month and 旬 plans of a target over [start, end] with month ``weights``; None
    without a target (a milestone's plan is 1, due on ``end``)."""
    if target is None and not milestone:
        return None
    daily = plan_maths.daily_plan(target, start, end, _weights_for_plan(weights), milestone=milestone)
    months = [
        (p, plan_maths.period_plan(daily, p.start, p.end))
        for p in periods.periods_between(periods.MONTH, start, end)
    ]
    dekads = [
        (p, plan_maths.period_plan(daily, p.start, p.end))
        for p in periods.periods_between(periods.DEKAD, start, end)
    ]
    total = Decimal("1.0000") if milestone else Decimal(target).quantize(plan_maths.PLACES)
    return Decomposition(months, dekads, total)


def _weights_for_plan(weights: dict | None) -> dict | None:
    if not weights:
        return None
    return {key: str(value) for key, value in weights.items()}


# ---- change indicators: the grid and the import


KEEP = object()  # a RowChange field left as stored


@dataclass
class RowChange:
    """What a manager asks of one indicator: raw cell text per field (``KEEP``: leave the
    stored value). ``weights``: ``{"2022-01": raw, …}``; every raw empty = even spread."""

    indicator: int
    target: object = KEEP
    op: object = KEEP
    department: object = KEEP  # a Department, its pk or its code or name
    plan_end: object = KEEP
    weights: object = KEEP
    cadence: object = KEEP


@dataclass
class CheckedChange:
    indicator: Indicator
    values: dict = field(default_factory=dict)  # field name → new value (changed only)
    parsed: dict = field(default_factory=dict)  # field name → value as the row asks


def _department_lookup():
    departments = list(Department.objects.all())
    by = {}
    for d in departments:
        by[d.pk] = by[str(d.pk)] = by[d.code] = by[d.name] = d
    return by


def parse_department(raw, lookup) -> Department:
    if isinstance(raw, Department):
        return raw
    key = raw if isinstance(raw, int) else _text(raw or "")
    if key == "" or key is None:
        raise ValueError(_("请选择责任单位。"))
    found = lookup.get(key)
    if found is None:
        raise ValueError(_("责任单位“%(name)s”不存在。") % {"name": str(raw)[:40]})
    return found


def parse_cadence(raw) -> str:
    choices = cadence_choices()
    text = _text(raw or "")
    for value, label in choices:
        if text in (value, str(label)):
            return value
    if not text and choices:
        return Indicator._meta.get_field("cadence").default
    raise ValueError(
        _("填报频次须为：%(choices)s。") % {"choices": "、".join(str(label) for _v, label in choices)}
    )


def check_changes(plan: Plan, rows: list[RowChange]) -> list[CheckedChange]:
    """Parse and check every cell; ``PlanRejected`` with a message per (indicator, field)
    when any is wrong. Returns the rows with only the fields that change."""
    errors: dict = defaultdict(list)
    indicators = {i.pk: i for i in plan.indicators.select_related("department")}
    lookup = _department_lookup()
    checked = []
    seen = set()
    for row in rows:
        ind = indicators.get(row.indicator)
        if ind is None:
            errors[(row.indicator, ALL)].append(_("该指标不属于本计划。"))
            continue
        if ind.pk in seen:
            errors[(ind.pk, ALL)].append(_("同一指标出现了两次。"))
            continue
        seen.add(ind.pk)
        item = CheckedChange(ind)

        def cell(name, parse, raw, ind=ind, item=item):
            if raw is KEEP:
                return
            try:
                item.parsed[name] = parse(raw)
            except ValueError as exc:
                errors[(ind.pk, name)].append(str(exc))

        cell("target_value", parse_target, row.target)
        cell("target_op", parse_op, row.op)
        cell("department", lambda raw: parse_department(raw, lookup), row.department)
        cell("plan_end", parse_day, row.plan_end)
        if has_cadence():
            cell("cadence", parse_cadence, row.cadence)
        end = item.parsed.get("plan_end", ind.plan_end)
        if "plan_end" in item.parsed and end < ind.entry_start:
            errors[(ind.pk, "plan_end")].append(
                _("完成时限不能早于开始日期 %(day)s。") % {"day": ind.entry_start.isoformat()}
            )
        if row.weights is not KEEP:
            weights, allowed = {}, weight_keys(ind.plan_start, end)
            for key, raw in (row.weights or {}).items():
                try:
                    value = parse_weight(raw)
                except ValueError as exc:
                    errors[(ind.pk, f"w_{key}")].append(str(exc))
                    continue
                if value is None:
                    continue
                if key not in allowed:
                    errors[(ind.pk, f"w_{key}")].append(
                        _("%(month)s 不在该指标的计划期内。") % {"month": key}
                    )
                    continue
                weights[key] = value
            for message in weight_sum_errors(weights):
                errors[(ind.pk, "weights")].append(message)
            item.parsed["monthly_weights"] = (
                {k: f"{v.normalize():f}" for k, v in sorted(weights.items())} if weights else None
            )
        if ind.kind == Indicator.Kind.MILESTONE and item.parsed.get("target_value") is not None:
            errors[(ind.pk, "target_value")].append(_("节点指标没有目标值，按完成时限考核。"))
        department = item.parsed.get("department")
        if department is not None and department.pk != ind.department_id:
            original, ind.department = ind.department, department
            refusal = ind.department_move_refusal()
            ind.department = original
            if refusal:
                errors[(ind.pk, "department")].append(refusal)
        for name, value in item.parsed.items():
            stored = getattr(ind, name)
            if name == "department":
                if value.pk != ind.department_id:
                    item.values[name] = value
            elif name == "monthly_weights":
                if _same_weights(stored, value):
                    continue
                item.values[name] = value
            elif stored != value:
                item.values[name] = value
        checked.append(item)
    if errors:
        raise PlanRejected(errors)
    return checked


def _same_weights(a: dict | None, b: dict | None) -> bool:
    def norm(w):
        return {k: Decimal(str(v)).normalize() for k, v in (w or {}).items() if Decimal(str(v)) != 0}

    return norm(a) == norm(b)


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, Department):
        return value.name
    if isinstance(value, dict):
        return weights_text(value)
    return str(value)


def plan_update(
    *,
    user,
    plan: Plan,
    rows: list[RowChange],
    reason: str = "",
    dry_run: bool = False,
    expected_stamp: str | None = None,
) -> list:
    """Change the plan's indicators as ``rows`` ask (only fields whose value differs are
    written). Refused as a whole (``PlanRejected``): a closed plan, a published plan's
    change without a reason, any cell that does not parse or check (``check_changes``).
    A published plan's changes are audited (``plan_change``: each field's old and new
    value, the reason) and its touched indicators re-rolled after the commit. Returns
    the changes as ``[(indicator, {field: (old, new)})]``.

    ``expected_stamp``: the plan's ``updated_at`` (ISO) the form was loaded with; a plan
    saved by someone else since is refused rather than overwritten with stale cells."""
    plan.refresh_from_db(fields=["status"])
    if plan.status == Plan.Status.CLOSED:
        raise _refuse(_("该计划已关闭，不能修改。"))
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise _refuse(_("原因不能超过 %(n)d 个字。") % {"n": REASON_MAX})
    checked = check_changes(plan, rows)
    changes = [(c.indicator, c.values) for c in checked if c.values]
    if changes and plan.status == Plan.Status.PUBLISHED and not reason:
        raise _refuse(_("该计划已发布：修改须填写原因（记入审计日志）。"))
    done = []
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        if expected_stamp and locked.updated_at.isoformat() != expected_stamp:
            raise _refuse(_("该计划已被他人修改，请刷新页面核对后再保存。"))
        for ind, values in changes:
            diff = {}
            for name, value in values.items():
                diff[name] = (_shown(getattr(ind, name)), _shown(value))
                setattr(ind, name, value)
            ind.save()
            done.append((ind, diff))
        if done and plan.status == Plan.Status.PUBLISHED:
            audit.record(
                "plan_change",
                user=user,
                target=plan.code,
                reason=reason,
                changes=[
                    {"indicator": ind.code, "field": name, "old": old, "new": new}
                    for ind, diff in done
                    for name, (old, new) in diff.items()
                ],
            )
            schedule_refresh([ind.pk for ind, _diff in done])
        if done:
            locked.save(update_fields=["updated_at"])
        if dry_run:
            transaction.set_rollback(True)
    return done


def plan_publish(*, user, plan: Plan) -> Plan:
    """Draft → published: the plan is in force (pages covering its period show it) and
    its indicators are rolled up. Refused for a plan without indicators."""
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != Plan.Status.DRAFT:
            raise _refuse(_("只有草稿可以发布。"))
        if not plan.indicators.exists():
            raise _refuse(_("计划中还没有指标，不能发布。"))
        plan.status = Plan.Status.PUBLISHED
        plan.save(update_fields=["status", "updated_at"])
        audit.record("plan_publish", user=user, target=plan.code, indicators=plan.indicators.count())
        schedule_refresh(list(plan.indicators.values_list("pk", flat=True)))
    return plan


def plan_close(*, user, plan: Plan, reason: str = "") -> Plan:
    """Published → closed: the plan is read only from then on."""
    reason = (reason or "").strip()[:REASON_MAX]
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != Plan.Status.PUBLISHED:
            raise _refuse(_("只有已发布的计划可以关闭。"))
        plan.status = Plan.Status.CLOSED
        plan.save(update_fields=["status", "updated_at"])
        audit.record("plan_close", user=user, target=plan.code, reason=reason)
    return plan


# ---- the XLSX 目标任务分解表, read back (targets.plans.xlsx reads the file)

# The sheet's columns: (key, header). The first nine are the 分解表 people read; the rest
# make a round trip exact (codes, kind, dates, range, ratio parts, month weights).
COLUMNS = (
    ("seq", "序号"),
    ("task", "工作任务"),
    ("name", "指标"),
    ("target", "目标值"),
    ("unit", "单位"),
    ("op", "比较符"),
    ("department", "责任单位"),
    ("plan_end", "完成时限"),
    ("cadence", "填报频次"),
    ("code", "指标代码"),
    ("task_code", "任务代码"),
    ("kind", "类型"),
    ("plan_start", "开始日期"),
    ("tracking_start", "开始跟踪"),
    ("decimals", "小数位数"),
    ("min_value", "最小值"),
    ("max_value", "最大值"),
    ("numerator", "分子指标代码"),
    ("denominator", "分母指标代码"),
    ("weights", "月度权重"),
    ("name_en", "英文名称"),
)
HEADERS = dict(COLUMNS)
PATH_SEPARATOR = " / "
_CODE = re.compile(r"^[-a-zA-Z0-9_]+$")


@dataclass
class ImportRow:
    """One sheet row: its number and its raw cells by column key."""

    line: int
    cells: dict


@dataclass
class ImportResult:
    code: str
    name: str
    action: str  # "add", "change", "same"
    diff: dict = field(default_factory=dict)  # header → (old, new)
    line: int = 0


def _kind(raw) -> str:
    text = _text(raw or "")
    for value, label in Indicator.Kind.choices:
        if text in (value, str(label)):
            return value
    raise ValueError(
        _("类型须为：%(choices)s。")
        % {"choices": "、".join(str(label) for _v, label in Indicator.Kind.choices)}
    )


def _optional_day(raw) -> date | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return parse_day(raw)


def _signed(raw) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = repr(raw) if isinstance(raw, float) else _text(raw)
    negative = text.startswith("-")
    value = parse_target(text[1:] if negative else text)
    return -value if negative else value


def _decimals(raw) -> int:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return 0
    text = _text(raw)
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    if not text.isdigit() or int(text) > VALUE_PLACES:
        raise ValueError(_("小数位数须为0至%(n)d的整数。") % {"n": VALUE_PLACES})
    return int(text)


def _plain(raw, limit: int, *, required: str = "") -> str:
    text = "" if raw is None else str(raw).strip()
    if required and not text:
        raise ValueError(required)
    if len(text) > limit:
        raise ValueError(_("不能超过 %(n)d 个字。") % {"n": limit})
    return text


def _parse_import_row(row: ImportRow, plan: Plan, lookup, err) -> dict | None:
    """The row's cells parsed into indicator fields; errors through ``err(column, msg)``."""
    out: dict = {}

    def cell(key, parse, column=None):
        try:
            out[key] = parse(row.cells.get(column or key))
        except ValueError as exc:
            err(column or key, str(exc))

    cell("code", lambda raw: _plain(raw, 60, required=_("缺少指标代码。")))
    if out.get("code") and not _CODE.match(out["code"]):
        err("code", _("指标代码只能包含字母、数字、“-”和“_”。"))
    cell("name", lambda raw: _plain(raw, 200, required=_("缺少指标名称。")))
    cell("name_en", lambda raw: _plain(raw, 300))
    cell("unit", lambda raw: _plain(raw, 20))
    cell("kind", _kind)
    cell("target_value", parse_target, "target")
    cell("target_op", parse_op, "op")
    cell("department", lambda raw: parse_department(raw, lookup))
    cell("plan_start", lambda raw: _optional_day(raw) or plan.start)
    cell("plan_end", lambda raw: parse_day(raw) if raw not in (None, "") else plan.end)
    cell("tracking_start", _optional_day)
    cell("decimals", _decimals)
    cell("min_value", _signed)
    cell("max_value", _signed)
    cell("numerator", lambda raw: _plain(raw, 60))
    cell("denominator", lambda raw: _plain(raw, 60))
    cell("monthly_weights", parse_weights_text, "weights")
    if has_cadence():
        cell("cadence", parse_cadence)
    codes = [c.strip() for c in _plain(row.cells.get("task_code"), 500).split("/") if c.strip()]
    task = _plain(row.cells.get("task"), 1000)
    names = [n for n in re.split(r"\s+/\s+", task) if n.strip()]
    if len(names) != len(codes):
        names = [n.strip() for n in task.split("/") if n.strip()]
    if not codes:
        err("task_code", _("缺少任务代码（如 s4/s4-2）。"))
    elif len(codes) != len(names):
        err(
            "task",
            _("工作任务的层级（%(n)d 级）与任务代码（%(m)d 级）不一致。")
            % {"n": len(names), "m": len(codes)},
        )
    elif any(not _CODE.match(c) or len(c) > 40 for c in codes):
        err("task_code", _("任务代码只能包含字母、数字、“-”和“_”，每级最多40个字符。"))
    out["goal_path"] = list(zip(codes, names, strict=False))
    start, end = out.get("plan_start"), out.get("plan_end")
    if start and end and end < start:
        err("plan_end", _("完成时限不能早于开始日期 %(day)s。") % {"day": start.isoformat()})
    tracking = out.get("tracking_start")
    if tracking and start and end and not start <= tracking <= end:
        err("tracking_start", _("开始跟踪日期须在开始日期与完成时限之间。"))
    low, high = out.get("min_value"), out.get("max_value")
    if low is not None and high is not None and high < low:
        err("max_value", _("最大值不能小于最小值。"))
    weights = out.get("monthly_weights")
    if weights and start and end:
        outside = sorted(set(weights) - weight_keys(start, end))
        if outside:
            err("weights", _("%(month)s 不在该指标的计划期内。") % {"month": "、".join(outside)})
        for message in weight_sum_errors(weights):
            err("weights", message)
        out["monthly_weights"] = {k: f"{v.normalize():f}" for k, v in sorted(weights.items())}
    kind = out.get("kind")
    if kind == Indicator.Kind.MILESTONE and out.get("target_value") is not None:
        err("target", _("节点指标没有目标值，按完成时限考核。"))
    if kind == Indicator.Kind.RATIO and not (out.get("numerator") and out.get("denominator")):
        err("numerator", _("比率指标须填写分子和分母指标代码。"))
    if kind != Indicator.Kind.RATIO and (out.get("numerator") or out.get("denominator")):
        err("numerator", _("只有比率指标有分子、分母指标。"))
    return out


# Fields an import writes, in the order a preview lists their changes.
IMPORT_FIELDS = (
    ("name", "name"),
    ("name_en", "name_en"),
    ("unit", "unit"),
    ("target_value", "target"),
    ("target_op", "op"),
    ("department", "department"),
    ("plan_start", "plan_start"),
    ("plan_end", "plan_end"),
    ("tracking_start", "tracking_start"),
    ("decimals", "decimals"),
    ("min_value", "min_value"),
    ("max_value", "max_value"),
    ("monthly_weights", "weights"),
)


def plan_import(*, user, plan: Plan, rows: list[ImportRow], reason: str = "", dry_run: bool = False):
    """Write the plan's indicators as a 目标任务分解表 lists them: a row whose 指标代码 is in
    the plan changes that indicator, a new code adds one (drafts only) under the goal
    path 任务代码 / 工作任务 (goals missing are added). Indicators the sheet does not list
    are left alone. Checked as a whole first: any bad cell refuses the whole file with
    its messages by (sheet row, column key), nothing written. A published plan needs a
    reason, is audited and re-rolled, as in ``plan_update``. Returns ``ImportResult`` per
    row."""
    plan.refresh_from_db(fields=["status"])
    if plan.status == Plan.Status.CLOSED:
        raise _refuse(_("该计划已关闭，不能修改。"))
    reason = (reason or "").strip()[:REASON_MAX]
    errors: dict = defaultdict(list)
    lookup = _department_lookup()
    existing = {
        i.code: i for i in plan.indicators.select_related("department", "goal", "numerator", "denominator")
    }
    parsed: list[tuple[ImportRow, dict]] = []
    seen: dict[str, int] = {}
    for row in rows:

        def err(column, message, line=row.line):
            errors[(line, column)].append(message)

        out = _parse_import_row(row, plan, lookup, err)
        code = out.get("code")
        if code:
            if code in seen:
                err("code", _("指标代码“%(code)s”与第%(line)d行重复。") % {"code": code, "line": seen[code]})
            seen[code] = row.line
            stored = existing.get(code)
            if stored is not None and out.get("kind") and stored.kind != out["kind"]:
                err(
                    "kind",
                    _("已有指标的类型不能修改（原为“%(kind)s”）。") % {"kind": stored.get_kind_display()},
                )
            if stored is None and plan.status != Plan.Status.DRAFT:
                err("code", _("已发布的计划不能导入新指标“%(code)s”。") % {"code": code})
            department = out.get("department")
            if stored is not None and department is not None and department.pk != stored.department_id:
                original, stored.department = stored.department, department
                refusal = stored.department_move_refusal()
                stored.department = original
                if refusal:
                    err("department", refusal)
        parsed.append((row, out))
    kinds = {code: i.kind for code, i in existing.items()}
    kinds.update({out["code"]: out.get("kind") for _row, out in parsed if out.get("code")})
    for row, out in parsed:
        for part in ("numerator", "denominator"):
            code = out.get(part)
            if code and kinds.get(code) not in (Indicator.Kind.AMOUNT, Indicator.Kind.LEVEL):
                errors[(row.line, part)].append(
                    _("“%(code)s”不是本计划中的累计量或存量指标。") % {"code": code[:60]}
                )
    if not rows:
        errors[ALL].append(_("表中没有指标行。"))
    if errors:
        raise PlanRejected(errors)

    results: list[ImportResult] = []
    with transaction.atomic():
        Plan.objects.select_for_update().filter(pk=plan.pk).first()
        goals = {g.code: g for g in plan.goals.all()}
        next_order = max((g.order for g in goals.values()), default=0)
        indicators = dict(existing)
        touched = []
        base = max((i.order for i in existing.values()), default=0)
        orders = {out["code"]: base + n for n, (_row, out) in enumerate(parsed, 1)}
        # Parts before ratios: a ratio is stored with its parts.
        for row, out in sorted(parsed, key=lambda p: p[1]["kind"] == Indicator.Kind.RATIO):
            parent = None
            for depth, (code, name) in enumerate(out["goal_path"]):
                goal = goals.get(code)
                if goal is None:
                    next_order += 1
                    goal = Goal.objects.create(
                        plan=plan,
                        code=code,
                        name=name[:200],
                        level=Goal.Level.SECTION if depth == 0 else Goal.Level.LINE,
                        parent=parent,
                        order=next_order,
                    )
                    goals[code] = goal
                parent = goal
            values = {name: out[name] for name, _key in IMPORT_FIELDS}
            if has_cadence():
                values["cadence"] = out["cadence"]
            values["goal"] = parent
            values["numerator"] = indicators.get(out["numerator"]) if out["numerator"] else None
            values["denominator"] = indicators.get(out["denominator"]) if out["denominator"] else None
            stored = indicators.get(out["code"])
            if stored is None:
                order = orders[out["code"]]  # the sheet's order, after the indicators there
                stored = Indicator(plan=plan, code=out["code"], kind=out["kind"], order=order, **values)
                stored.save()
                indicators[stored.code] = stored
                results.append(ImportResult(stored.code, stored.name, "add", line=row.line))
                continue
            diff = {}
            for name, value in values.items():
                old = getattr(stored, name)
                same = _same_weights(old, value) if name == "monthly_weights" else old == value
                if not same:
                    header = HEADERS.get(dict(IMPORT_FIELDS).get(name, ""), name)
                    if name == "goal":
                        header = HEADERS["task"]
                    elif name in ("numerator", "denominator", "cadence"):
                        header = HEADERS[name]
                    diff[header] = (_shown_any(old), _shown_any(value))
                    setattr(stored, name, value)
            if diff:
                stored.save()
                touched.append(stored.pk)
            results.append(
                ImportResult(stored.code, stored.name, "change" if diff else "same", diff, row.line)
            )
        if touched and plan.status == Plan.Status.PUBLISHED:
            if not reason:
                raise _refuse(_("该计划已发布：修改须填写原因（记入审计日志）。"))
            audit.record(
                "plan_change",
                user=user,
                target=plan.code,
                reason=reason,
                source="import",
                changes=[
                    {"indicator": r.code, "field": header, "old": old, "new": new}
                    for r in results
                    for header, (old, new) in r.diff.items()
                ],
            )
            schedule_refresh(touched)
        if touched or any(r.action == "add" for r in results):
            Plan.objects.get(pk=plan.pk).save(update_fields=["updated_at"])
        if not dry_run:
            audit.record(
                "plan_import",
                user=user,
                target=plan.code,
                added=sum(r.action == "add" for r in results),
                changed=sum(r.action == "change" for r in results),
            )
        else:
            transaction.set_rollback(True)
    return results


def _shown_any(value) -> str:
    if isinstance(value, Goal):
        return value.code
    if isinstance(value, Indicator):
        return value.code
    if isinstance(value, date):
        return value.isoformat()
    return _shown(value)

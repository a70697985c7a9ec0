"""Managers' plan pages: the list, create, detail, copy to another period, the grid
(targets, operators, responsible units, deadlines, month weights shown as the month and
旬 plans they give), publish, close, and the XLSX 目标任务分解表 out and in. Everyone
with a role reads published and closed plans; drafts and every write are managers'.
Views parse, call ``targets.plans.services`` and render."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from targets import audit, clock, periods, roles
from targets import plan as plan_maths
from targets.entry.imports import ImportRefused
from targets.models import AuditEvent, Department, Indicator, Plan
from targets.reporting.exports import content_disposition

from . import services, xlsx
from .forms import CopyForm, PlanForm, PlanImportForm, ReasonForm, quarter_value

writers_only = roles.capability_required(roles.WRITE_PLANS, gettext_lazy("只有管理员可以编写工作计划。"))
readers_only = roles.capability_required(roles.READ, gettext_lazy("无权查看工作计划。"))
SESSION_IMPORT = "plan_import"


def _plan(request, code: str) -> Plan:
    """The plan of the path; a draft only for those who write plans (404 for others)."""
    plan = get_object_or_404(Plan, code=code)
    if plan.status == Plan.Status.DRAFT and not roles.can(request.user, roles.WRITE_PLANS):
        raise Http404(_("没有该工作计划。"))
    return plan


def _counted(queryset):
    return queryset.annotate(
        indicator_count=Count("indicators", distinct=True), goal_count=Count("goals", distinct=True)
    )


@require_safe
@readers_only
def plan_list(request):
    """Every plan with its period, status and counts (drafts for managers only)."""
    plans = _counted(Plan.objects.select_related("copied_from"))
    writer = roles.can(request.user, roles.WRITE_PLANS)
    if not writer:
        plans = plans.visible()
    current = Plan.objects.for_day(clock.today())
    return render(
        request,
        "targets/plans/list.html",
        {"plans": plans, "writer": writer, "current": current, "today": clock.today()},
    )


@writers_only
def plan_create(request):
    form = PlanForm(request.POST or None, initial={"quarter": quarter_value(clock.today())})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.plan_create(
                    user=request.user,
                    title=data["title"],
                    kind=data["kind"],
                    start=data["start"],
                    end=data["end"],
                    source=data["source"],
                )
            except services.PlanRejected as exc:
                form.add_error(None, "；".join(exc.messages()))
            else:
                messages.success(request, _("已新建工作计划（草稿）：%(title)s") % {"title": plan.title})
                return redirect("plans:detail", plan_code=plan.code)
        status = 400
    return render(request, "targets/plans/create.html", {"form": form}, status=status)


@require_safe
@readers_only
def plan_detail(request, plan_code: str):
    """The plan: its period, status, source, goals and indicators (read only), and the
    managers' actions for its status."""
    plan = _plan(request, plan_code)
    indicators = list(plan.indicators.select_related("department", "goal").order_by("order", "code"))
    missing_targets = [
        i
        for i in indicators
        if i.target_value is None and i.kind in (Indicator.Kind.AMOUNT, Indicator.Kind.LEVEL)
    ]
    changes = list(
        AuditEvent.objects.filter(action__startswith="plan_", target=plan.code)
        .select_related("user")
        .order_by("-at")[:20]
    )
    context = {
        "plan": plan,
        "indicators": indicators,
        "goal_count": plan.goals.count(),
        "missing_targets": missing_targets,
        "writer": roles.can(request.user, roles.WRITE_PLANS),
        "events": changes,
        "period_label": services.period_label(plan.kind, plan.start, plan.end),
    }
    return render(request, "targets/plans/detail.html", context)


@writers_only
def plan_copy(request, plan_code: str):
    """Copy the plan to another period (default: the next quarter after it ends). A
    quarter's plan copied to another quarter has its names reworded for the new quarter
    (四季度签约项目 → 一季度签约项目): the page lists them, editable, for the quarter picked
    ("预览名称" shows them for another quarter without copying)."""
    plan = _plan(request, plan_code)
    following = periods.period_of(periods.QUARTER, plan.end + timedelta(days=1))
    initial = {
        "kind": Plan.Kind.QUARTER,
        "quarter": quarter_value(following.start),
        "title": services.copy_title(plan, Plan.Kind.QUARTER, following.start, following.end),
        "carry_targets": "1",
        "rename": True,
    }
    form = CopyForm(request.POST or None, initial=initial, around=(plan.start, following.start))
    kind, start = Plan.Kind.QUARTER, following.start
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            kind, start = data["kind"], data["start"]
            # Names typed in the preview count only for the period they were shown for.
            names = (
                _posted_names(request.POST) if request.POST.get("rn_for") == _names_for(kind, start) else {}
            )
            if request.POST.get("action") == "preview":
                return _copy_page(request, plan, form, kind, start, names)
            try:
                copy = services.plan_copy(
                    plan=plan,
                    start=start,
                    end=data["end"],
                    kind=kind,
                    title=data["title"],
                    carry_targets=data["carry_targets"],
                    user=request.user,
                    rename=data["rename"],
                    names=names if data["rename"] else {},
                )
            except services.PlanRejected as exc:
                form.add_error(None, "；".join(exc.messages()))
            else:
                messages.success(
                    request,
                    _("已复制为新计划（草稿）：%(title)s，共 %(n)d 个指标。")
                    % {"title": copy.title, "n": copy.indicators.count()},
                )
                running = services.still_running(plan, start)
                if running:
                    messages.info(
                        request,
                        _("仍在执行的 %(n)d 个指标未复制，继续在原计划中填报和考核：%(names)s。")
                        % {"n": len(running), "names": "、".join(ind.display_name for ind in running)},
                    )
                renamed = _renamed_count(plan, copy)
                if renamed:
                    messages.info(
                        request,
                        _("名称中的季度用语已改为新季度：%(n)d 个目标或指标。") % {"n": renamed},
                    )
                return redirect("plans:grid", plan_code=copy.code)
        status = 400
    return _copy_page(request, plan, form, kind, start, {}, status=status)


def _names_for(kind: str, start: date) -> str:
    """The period the preview's names were proposed for (kept in the form)."""
    return f"{kind}|{start.isoformat()}"


def _posted_names(post) -> dict[str, str]:
    """The names edited in the preview: {"g<goal id>" or "i<indicator id>": name}."""
    return {
        name[3:]: post.get(name, "")
        for name in post
        if name.startswith("rn_")
        and name[3:4] in ("g", "i")
        and name[4:].isdigit()
        and post.get(name, "").strip()
    }


def _renamed_count(plan: Plan, copy: Plan) -> int:
    """Goals and indicators whose copy is named otherwise than the original."""
    count = 0
    for field_name in ("goals", "indicators"):
        old = dict(getattr(plan, field_name).values_list("code", "name"))
        count += sum(
            1 for code, name in getattr(copy, field_name).values_list("code", "name") if old.get(code) != name
        )
    return count


def _copy_page(request, plan, form, kind, start, names, status=200):
    """The copy form with the names the copy rewords for the period (edited ones kept)."""
    renamings = services.renamings(plan, kind, start)
    for item in renamings:
        item.new = names.get(item.key, item.new)
    context = {
        "plan": plan,
        "form": form,
        "renamings": renamings,
        "names_for": _names_for(kind, start),
        "running": services.still_running(plan, start),
    }
    return render(request, "targets/plans/copy.html", context, status=status)


# ---- the grid


@dataclass
class MonthCell:
    key: str
    label: str
    weight: str
    plan: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class GridRow:
    seq: int
    indicator: Indicator
    target: str
    op: str
    department: str
    plan_end: str
    cadence: str
    months: list[MonthCell]
    dekads: list[MonthCell]  # the 旬: weight, plan
    total: str = ""
    month_sum: str = ""
    dekad_sum: str = ""
    exact: bool = False
    errors: dict = field(default_factory=dict)  # field → messages

    @property
    def has_target(self) -> bool:
        return self.indicator.kind != Indicator.Kind.MILESTONE

    @property
    def has_weights(self) -> bool:
        return self.indicator.kind in (Indicator.Kind.AMOUNT, Indicator.Kind.LEVEL)

    @property
    def weighted(self) -> bool:
        return any(m.weight for m in self.months)

    @property
    def dekad_weighted(self) -> bool:
        return any(d.weight for d in self.dekads)

    @property
    def all_errors(self) -> list[str]:
        cells = self.months + self.dekads
        return [m for msgs in self.errors.values() for m in msgs] + [e for c in cells for e in c.errors]


def _fmt(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value).normalize():f}"


def _posted_rows(post, plan: Plan) -> list[services.RowChange]:
    rows = []
    cadence = services.has_cadence()
    for ind in plan.indicators.all():
        pk = ind.pk
        if f"t_{pk}" not in post and f"d_{pk}" not in post:
            continue
        row = services.RowChange(indicator=pk)
        if ind.kind != Indicator.Kind.MILESTONE and f"t_{pk}" in post:
            row.target = post.get(f"t_{pk}", "")
        if f"op_{pk}" in post:
            row.op = post.get(f"op_{pk}", "")
        if f"d_{pk}" in post:
            row.department = post.get(f"d_{pk}", "")
        if f"e_{pk}" in post:
            row.plan_end = post.get(f"e_{pk}", "")
        if cadence and f"c_{pk}" in post:
            row.cadence = post.get(f"c_{pk}", "")
        prefix = f"w_{pk}_"
        weights = {name[len(prefix) :]: post.get(name, "") for name in post if name.startswith(prefix)}
        if weights or f"wt_{pk}" in post:
            row.weights = weights
        rows.append(row)
    return rows


def _weight_cell(ind: Indicator, key: str, period, *, posted, errors: dict, shown: dict) -> MonthCell:
    """The grid cell of one month or 旬 weight: what was posted, else what is stored; a
    weight that parses goes into ``shown`` (the decomposition the row shows)."""
    name = f"w_{ind.pk}_{key}"
    stored = ind.monthly_weights or {}
    if posted is not None and (name in posted or f"wt_{ind.pk}" in posted):
        raw = posted.get(name, "")
    else:
        raw = _fmt(Decimal(str(stored[key]))) if key in stored else ""
    try:
        parsed = services.parse_weight(raw)
    except ValueError:
        parsed = None
    if parsed:
        shown[key] = parsed
    return MonthCell(key, period.label, raw, errors=list(errors.get((ind.pk, f"w_{key}"), [])))


def build_grid(plan: Plan, *, posted=None, errors: dict | None = None) -> list[GridRow]:
    """The grid's rows: the stored values, or what was posted (after a refused save or a
    preview); each row's month weights beside the month plans they give, its 旬 plans,
    and their sums (equal to the target, exactly)."""
    errors = errors or {}
    departments = {d.pk: d for d in Department.objects.all()}
    rows = []
    indicators = plan.indicators.select_related("department").order_by("order", "code")
    for seq, ind in enumerate(indicators, 1):
        pk = ind.pk

        def value(name, stored, pk=pk):
            if posted is not None and f"{name}_{pk}" in posted:
                return posted.get(f"{name}_{pk}", "")
            return stored

        target = value("t", _fmt(ind.target_value))
        plan_end = value("e", ind.plan_end.isoformat())
        row_errors = {
            key[1]: msgs
            for key, msgs in errors.items()
            if isinstance(key, tuple) and key[0] == pk and not str(key[1]).startswith("w_")
        }
        # The decomposition of what the row now says, when it parses; else of the stored.
        try:
            shown_target = services.parse_target(target)
        except ValueError:
            shown_target = ind.target_value
        try:
            shown_end = max(services.parse_day(plan_end), ind.plan_start)
        except ValueError:
            shown_end = ind.plan_end
        shown_weights = {}
        weight_cell = functools.partial(_weight_cell, ind, posted=posted, errors=errors, shown=shown_weights)
        month_cells = [
            weight_cell(f"{p.start:%Y-%m}", p)
            for p in periods.periods_between(periods.MONTH, ind.plan_start, shown_end)
        ]
        dekad_cells = [
            weight_cell(plan_maths.dekad_key(p.start), p)
            for p in periods.periods_between(periods.DEKAD, ind.plan_start, shown_end)
        ]
        # A weight for a month or 旬 the row no longer shows (its deadline moved): its
        # message goes with the row's, not lost with the cell.
        shown_keys = {f"w_{c.key}" for c in month_cells + dekad_cells}
        for key, msgs in errors.items():
            if isinstance(key, tuple) and key[0] == pk and str(key[1]).startswith("w_"):
                if key[1] not in shown_keys:
                    row_errors.setdefault("weights", []).extend(msgs)
        dec = None
        if ind.kind != Indicator.Kind.RATIO:
            dec = services.decomposition(
                target=shown_target,
                start=ind.plan_start,
                end=shown_end,
                weights=shown_weights if ind.kind != Indicator.Kind.MILESTONE else None,
                milestone=ind.kind == Indicator.Kind.MILESTONE,
            )
        if dec is not None:
            plans = {p.start: v for p, v in dec.months}
            for month in month_cells:
                month.plan = _fmt(plans.get(max(date.fromisoformat(f"{month.key}-01"), ind.plan_start)))
            for dekad, (_period, dekad_plan) in zip(dekad_cells, dec.dekads, strict=True):
                dekad.plan = _fmt(dekad_plan)
        department_pk = ind.department_id
        if posted is not None and f"d_{pk}" in posted:
            found = next((d for d in departments.values() if d.code == posted.get(f"d_{pk}")), None)
            department_pk = found.pk if found else None
        rows.append(
            GridRow(
                seq=seq,
                indicator=ind,
                target=target,
                op=value("op", ind.target_op),
                department=departments[department_pk].code if department_pk in departments else "",
                plan_end=plan_end,
                cadence=value("c", getattr(ind, "cadence", "")),
                months=month_cells,
                dekads=dekad_cells if dec is not None else [],
                total=_fmt(dec.total) if dec else "",
                month_sum=_fmt(dec.month_sum) if dec else "",
                dekad_sum=_fmt(dec.dekad_sum) if dec else "",
                exact=bool(dec and dec.exact),
                errors=row_errors,
            )
        )
    return rows


@writers_only
def plan_grid(request, plan_code: str):
    """Edit the plan's targets, operators, units, deadlines and month weights in one
    form. "预览分解" shows the month and 旬 plans of what is typed without saving;
    "保存" saves every change or none."""
    plan = _plan(request, plan_code)
    editable = plan.status != Plan.Status.CLOSED
    status, errors, posted, general = 200, {}, None, []
    if request.method == "POST":
        if not editable:
            messages.error(request, _("该计划已关闭，不能修改。"))
            return redirect("plans:detail", plan_code=plan.code)
        preview = request.POST.get("action") == "preview"
        rows = _posted_rows(request.POST, plan)
        reason = request.POST.get("reason", "")
        try:
            done = services.plan_update(
                user=request.user,
                plan=plan,
                rows=rows,
                reason=reason,
                dry_run=preview,
                expected_stamp=request.POST.get("stamp") or None,
            )
        except services.PlanRejected as exc:
            errors = exc.errors
            general = exc.errors.get(services.ALL, [])
            posted = request.POST
            status = 400
        else:
            if preview:
                posted = request.POST
                messages.info(
                    request,
                    _("预览：%(n)d 个指标将被修改（尚未保存）。") % {"n": len(done)},
                )
            else:
                if done:
                    messages.success(request, _("已保存：%(n)d 个指标已修改。") % {"n": len(done)})
                else:
                    messages.info(request, _("没有需要保存的修改。"))
                return redirect("plans:grid", plan_code=plan.code)
    rows = build_grid(plan, posted=posted, errors=errors)
    context = {
        "plan": plan,
        "rows": rows,
        "editable": editable,
        "general_errors": general,
        "cell_errors": [(r, m) for r in rows for m in r.all_errors],
        "departments": Department.objects.all(),
        "ops": [(value, services.OP_SYMBOLS[value]) for value in Indicator.Op.values],
        "cadences": services.cadence_choices(),
        "needs_reason": plan.status == Plan.Status.PUBLISHED,
        "reason": request.POST.get("reason", "") if request.method == "POST" else "",
        "stamp": plan.updated_at.isoformat(),
    }
    return render(request, "targets/plans/grid.html", context, status=status)


@require_POST
@writers_only
def plan_publish(request, plan_code: str):
    plan = _plan(request, plan_code)
    try:
        services.plan_publish(user=request.user, plan=plan)
    except services.PlanRejected as exc:
        messages.error(request, "；".join(exc.messages()))
    else:
        messages.success(request, _("已发布：%(title)s") % {"title": plan.title})
    return redirect("plans:detail", plan_code=plan.code)


@require_POST
@writers_only
def plan_close(request, plan_code: str):
    plan = _plan(request, plan_code)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise services.PlanRejected(
                {services.ALL: [_("原因不能超过 %(n)d 个字。") % {"n": services.REASON_MAX}]}
            )
        services.plan_close(user=request.user, plan=plan, reason=form.cleaned_data["reason"])
    except services.PlanRejected as exc:
        messages.error(request, "；".join(exc.messages()))
    else:
        messages.success(request, _("已关闭：%(title)s") % {"title": plan.title})
    return redirect("plans:detail", plan_code=plan.code)


# ---- the XLSX 目标任务分解表


@require_safe
@writers_only
def plan_export(request, plan_code: str):
    plan = _plan(request, plan_code)
    data = xlsx.build(plan)
    audit.record("export", request=request, target=plan.code, format="xlsx", path=request.path)
    response = HttpResponse(data, content_type=xlsx.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(
        f"{plan.title}_目标任务分解表.xlsx", xlsx.file_name(plan)
    )
    return response


@writers_only
def plan_import(request, plan_code: str):
    """Upload → preview (nothing saved) → confirm. The rows wait in the session under a
    one-time token; confirming checks them again."""
    plan = _plan(request, plan_code)
    if plan.status == Plan.Status.CLOSED:
        raise Http404(_("该计划已关闭，不能修改。"))
    context = {"plan": plan}
    status = 200
    form = PlanImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            reason = form.cleaned_data["reason"]
            try:
                if upload.size > xlsx.settings.IMPORT_MAX_BYTES:
                    raise ImportRefused(
                        _("文件超过 %(mb)d MB，请上传本计划的目标任务分解表。")
                        % {"mb": xlsx.settings.IMPORT_MAX_BYTES // (1024 * 1024)}
                    )
                parsed = xlsx.read(upload.read())
            except ImportRefused as exc:
                form.add_error("file", str(exc))
                status = 400
            else:
                result = xlsx.preview(user=request.user, plan=plan, parsed=parsed, reason=reason)
                context["preview"] = result
                if plan.status == Plan.Status.PUBLISHED and result.changed and not reason.strip():
                    result.errors.append(_("该计划已发布：修改须填写原因（记入审计日志）。"))
                if result.errors:
                    status = 400
                elif result.changed:
                    token = secrets.token_urlsafe(16)
                    request.session[SESSION_IMPORT] = {
                        "token": token,
                        "plan": plan.pk,
                        "rows": xlsx.rows_for_session(parsed),
                        "reason": reason,
                        "filename": upload.name[:100],
                    }
                    context["token"] = token
        else:
            status = 400
    context["form"] = form
    return render(request, "targets/plans/import.html", context, status=status)


@require_POST
@writers_only
def plan_import_confirm(request, plan_code: str):
    plan = _plan(request, plan_code)
    pending = request.session.get(SESSION_IMPORT)
    token = request.POST.get("token", "")
    back = reverse("plans:import", kwargs={"plan_code": plan.code})
    if not pending or not secrets.compare_digest(pending["token"], token) or pending["plan"] != plan.pk:
        messages.error(request, _("导入预览已失效，请重新上传文件。"))
        return redirect(back)
    del request.session[SESSION_IMPORT]
    try:
        results = services.plan_import(
            user=request.user,
            plan=plan,
            rows=xlsx.rows_from_session(pending["rows"]),
            reason=pending["reason"],
        )
    except services.PlanRejected as exc:
        messages.error(request, _("导入未保存：") + "；".join(exc.messages()[:10]))
        return redirect(back)
    added = sum(r.action == "add" for r in results)
    changed = sum(r.action == "change" for r in results)
    messages.success(
        request,
        _("导入完成：新增 %(added)d 个指标，修改 %(changed)d 个。") % {"added": added, "changed": changed},
    )
    return redirect("plans:detail", plan_code=plan.code)

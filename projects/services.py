"""Writes of the problem list (问题清单): raising a problem and moving it along its flow.

The flow is one table, ``MOVES``::

    待整改 ─start─▶ 整改中 ─request-close─▶ 申请销号 ─close─▶ 已销号
                      ▲                        │
                      └──────── return ────────┘

The responsible unit (its clerks) and managers start work and ask for 销号; only managers
close or return. Every move writes one ``ProblemEvent`` (its comment and actor) and one
audit row, in the same transaction as the status change.

Evidence (``targets.evidence``): photos when a problem is raised, rectification proof
while it is worked on, and 销号 proof with the request to close. 申请销号 needs at least
one proof on the problem (整改证明 or 销号证明), or the user says there is none
(``without_evidence``) and explains why in the comment, which the request needs anyway.
Files come checked and re-encoded (``targets.evidence.files.prepare``); they are stored
only after every other check of the move has passed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext_lazy as _lazy

from targets import audit, clock, roles
from targets.evidence.files import EvidenceRefused, PreparedFile
from targets.evidence.models import Evidence
from targets.evidence.services import attach_evidence
from targets.models import Indicator

from .models import KeyProject, Problem, ProblemEvent, ProgressNote

DEPARTMENT = "department"  # a clerk of the problem's responsible unit, or a manager
MANAGER = "manager"


class ProblemRefused(Exception):
    """A move or a raise refused. ``code`` says why: ``forbidden`` (the user may not; a
    page's 403, the API's 403), ``state`` (the status does not allow the move; the API's
    409), ``invalid`` (a missing comment or field; 400)."""

    def __init__(self, code: str, message: str, fields: dict | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = str(message)
        self.fields = fields or {}


@dataclass(frozen=True)
class ProblemMove:
    """One allowed move: from which statuses, to which, who may make it, and whether its
    comment is required (the refusal of an empty one, "" when optional)."""

    sources: tuple[str, ...]
    target: str
    who: str
    label: object
    comment_required: object = ""


_S = Problem.Status
_M = ProblemEvent.Move

MOVES: dict[str, ProblemMove] = {
    _M.START: ProblemMove((_S.TODO,), _S.IN_PROGRESS, DEPARTMENT, _lazy("开始整改")),
    _M.REQUEST_CLOSE: ProblemMove(
        (_S.IN_PROGRESS,),
        _S.CLOSE_REQUESTED,
        DEPARTMENT,
        _lazy("申请销号"),
        comment_required=_lazy("申请销号时请说明整改情况。"),
    ),
    _M.CLOSE: ProblemMove((_S.CLOSE_REQUESTED,), _S.CLOSED, MANAGER, _lazy("销号")),
    _M.RETURN: ProblemMove(
        (_S.CLOSE_REQUESTED,),
        _S.IN_PROGRESS,
        MANAGER,
        _lazy("退回"),
        comment_required=_lazy("退回时请填写原因。"),
    ),
}


def may_act_for(user, department) -> bool:
    """A clerk of ``department`` or a manager (superusers included)."""
    return roles.can_edit_department(user, department)


def may_move(user, move: str, problem: Problem) -> bool:
    """Whether ``user`` may make ``move`` on ``problem`` (not whether its status allows it)."""
    if MOVES[move].who == MANAGER:
        return roles.can(user, roles.REVIEW)
    return may_act_for(user, problem.department)


def available_moves(user, problem: Problem) -> list[str]:
    """The moves ``user`` may make on ``problem`` now (status and role both allow)."""
    return [m for m, rule in MOVES.items() if problem.status in rule.sources and may_move(user, m, problem)]


def _event(problem: Problem, *, user, move: str, from_status: str, comment: str) -> ProblemEvent:
    return ProblemEvent.objects.create(
        problem=problem,
        move=move,
        from_status=from_status,
        to_status=problem.status,
        comment=comment,
        actor=user if user.is_authenticated else None,
        actor_name=user.get_username() if user.is_authenticated else "",
        at=clock.now(),
    )


PROOF = (Evidence.Purpose.RECTIFICATION, Evidence.Purpose.CLOSE)


def has_proof(problem: Problem) -> bool:
    """Whether the problem has rectification or 销号 proof attached."""
    return Evidence.objects.for_owner(problem).filter(purpose__in=PROOF).exists()


def _attach(
    *, user, problem: Problem, files: Sequence[PreparedFile], purpose: str, request
) -> list[Evidence]:
    try:
        return [
            attach_evidence(user=user, owner=problem, prepared=f, purpose=purpose, request=request)
            for f in files
        ]
    except EvidenceRefused as exc:
        raise ProblemRefused("forbidden" if exc.code == "forbidden" else "invalid", exc.message) from exc


@transaction.atomic
def add_problem_evidence(
    *, user, problem: Problem, files: Sequence[PreparedFile], purpose: str = "", request=None
) -> list[Evidence]:
    """Attach ``files`` to ``problem`` without moving it: problem photos while it is
    待整改, rectification proof after (unless ``purpose`` says otherwise). The unit's
    clerks and managers, until 已销号. Raises ``ProblemRefused``."""
    if not may_act_for(user, problem.department):
        raise ProblemRefused("forbidden", _lazy("只能为本单位的问题上传材料。"))
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    if problem.status == _S.CLOSED:
        raise ProblemRefused("state", _lazy("问题已销号，不能再上传材料。"))
    if not files:
        raise ProblemRefused(
            "invalid", _lazy("请选择要上传的文件。"), {"file": [str(_lazy("请选择要上传的文件。"))]}
        )
    if not purpose:
        purpose = (
            Evidence.Purpose.PROBLEM_PHOTO if problem.status == _S.TODO else Evidence.Purpose.RECTIFICATION
        )
    return _attach(user=user, problem=problem, files=files, purpose=purpose, request=request)


@transaction.atomic
def add_milestone_evidence(*, user, milestone, files: Sequence[PreparedFile], request=None) -> list:
    """Attach ``files`` to a key project's milestone as 节点证明: the project's unit's
    clerks and managers. Raises ``ProblemRefused`` (``forbidden``, ``invalid``)."""
    if not may_act_for(user, milestone.project.department):
        raise ProblemRefused("forbidden", _lazy("只能为本单位的项目节点上传材料。"))
    if not files:
        message = _lazy("请选择要上传的文件。")
        raise ProblemRefused("invalid", message, {"file": [str(message)]})
    try:
        return [
            attach_evidence(
                user=user, owner=milestone, prepared=f, purpose=Evidence.Purpose.MILESTONE, request=request
            )
            for f in files
        ]
    except EvidenceRefused as exc:
        raise ProblemRefused("forbidden" if exc.code == "forbidden" else "invalid", exc.message) from exc


# ---- physical progress (形象进度) ------------------------------------------------------

PROGRESS_MAX = ProgressNote._meta.get_field("text").max_length  # characters


def may_add_progress(user, project: KeyProject) -> bool:
    """The project's responsible unit's clerks and managers write its 形象进度."""
    return may_act_for(user, project.department)


@transaction.atomic
def add_progress_note(*, user, project: KeyProject, day: date, text: str, request=None) -> ProgressNote:
    """Record the project's physical progress (形象进度) on ``day``: a new row, never an
    edit of an earlier one, so the history stays; audited. Refused (``ProblemRefused``):
    a user outside the project's unit (``forbidden``); a day after today (the product's
    clock), a day that already has its entry, an empty or overlong text (``invalid``)."""
    if not may_add_progress(user, project):
        raise ProblemRefused("forbidden", _lazy("只能填报本单位项目的形象进度。"))
    text = (text or "").strip()
    if not text:
        message = _lazy("请填写形象进度。")
        raise ProblemRefused("invalid", message, {"text": [str(message)]})
    if len(text) > PROGRESS_MAX:
        message = _lazy("形象进度不能超过 %(n)d 个字。") % {"n": PROGRESS_MAX}
        raise ProblemRefused("invalid", message, {"text": [str(message)]})
    if day > clock.today():
        message = _lazy("日期不能晚于今天（%(today)s）。") % {"today": clock.today().isoformat()}
        raise ProblemRefused("invalid", message, {"date": [str(message)]})
    # One entry a day (projects_progressnote_one_per_day); the lock makes a second writer
    # of the same day wait and then see the first one's row.
    KeyProject.objects.select_for_update().filter(pk=project.pk).first()
    if ProgressNote.objects.filter(project=project, date=day).exists():
        message = _lazy("%(day)s 已填报形象进度；新的进展请按新的日期填报。") % {"day": day.isoformat()}
        raise ProblemRefused("invalid", message, {"date": [str(message)]})
    note = ProgressNote.objects.create(
        project=project, date=day, text=text, created_by=user, created_at=clock.now()
    )
    audit.record(
        "progress_note_add",
        user=user,
        request=request,
        target=f"key_project:{project.pk}",
        note=note.pk,
        date=day.isoformat(),
        text=text,
    )
    return note


@transaction.atomic
def move_problem(
    *,
    user,
    problem: Problem,
    move: str,
    comment: str = "",
    files: Sequence[PreparedFile] = (),
    without_evidence: bool = False,
    request=None,
) -> Problem:
    """Move ``problem`` along ``MOVES``: check who may, then the status (locked for the
    transaction, so two managers cannot both close it), then the comment, then (申请销号)
    the proof; store ``files`` as its evidence (销号证明 with 申请销号, 整改证明 with any
    other move), save the status, one ``ProblemEvent`` and one audit row. Raises
    ``ProblemRefused``."""
    rule = MOVES.get(move)
    if rule is None:
        raise ProblemRefused("invalid", _lazy("未知的操作。"))
    if not may_move(user, move, problem):
        raise ProblemRefused(
            "forbidden",
            _lazy("只有管理员可以销号或退回。") if rule.who == MANAGER else _lazy("只能处理本单位的问题。"),
        )
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    if problem.status not in rule.sources:
        raise ProblemRefused(
            "state",
            _lazy("问题当前为「%(status)s」，不能%(move)s。")
            % {"status": problem.get_status_display(), "move": rule.label},
        )
    comment = (comment or "").strip()
    if rule.comment_required and not comment:
        raise ProblemRefused("invalid", rule.comment_required, {"comment": [str(rule.comment_required)]})
    if move == _M.REQUEST_CLOSE and not (files or without_evidence or has_proof(problem)):
        message = _lazy(
            "申请销号须附整改证明（照片或文件）；确实无法提供时，请勾选“无证明材料”并在说明中写明原因。"
        )
        raise ProblemRefused("invalid", message, {"evidence": [str(message)]})
    purpose = Evidence.Purpose.CLOSE if move == _M.REQUEST_CLOSE else Evidence.Purpose.RECTIFICATION
    attached = _attach(user=user, problem=problem, files=files, purpose=purpose, request=request)
    from_status = problem.status
    problem.status = rule.target
    problem.closed_on = clock.today() if rule.target == _S.CLOSED else None
    problem.save(update_fields=["status", "closed_on"])
    _event(problem, user=user, move=move, from_status=from_status, comment=comment)
    audit.record(
        f"problem_{move}",
        user=user,
        request=request,
        target=f"problem:{problem.pk}",
        status=problem.status,
        comment=comment,
        evidence=[e.pk for e in attached],
        without_evidence=bool(without_evidence and not attached),
    )
    return problem


@transaction.atomic
def raise_problem(
    *,
    user,
    department,
    title: str,
    due_date: date | None,
    severity: str = Problem.Severity.GENERAL,
    description: str = "",
    owner: str = "",
    key_project=None,
    indicator=None,
    campaign=None,
    photos: Sequence[PreparedFile] = (),
    request=None,
) -> Problem:
    """Raise a problem (待整改) against a key project, an indicator or a safety campaign,
    owned by ``department``: by a clerk of that department or a manager. Writes the
    problem, its first ``ProblemEvent``, an audit row and its ``photos`` (问题照片)."""
    if not may_act_for(user, department):
        raise ProblemRefused("forbidden", _lazy("只能为本单位提出问题。"))
    if not (key_project or indicator or campaign):
        raise ProblemRefused("invalid", _lazy("请选择问题所属的项目、指标或专项行动。"))
    problem = Problem.objects.create(
        department=department,
        title=title,
        description=description,
        owner=owner,
        severity=severity,
        due_date=due_date,
        key_project=key_project,
        indicator=indicator,
        campaign=campaign,
        raised_on=clock.today(),
        raised_by=user if user.is_authenticated else None,
        status=_S.TODO,
    )
    _event(problem, user=user, move=_M.RAISE, from_status="", comment=description)
    audit.record("problem_raise", user=user, request=request, target=f"problem:{problem.pk}", title=title)
    _attach(user=user, problem=problem, files=photos, purpose=Evidence.Purpose.PROBLEM_PHOTO, request=request)
    return problem


# ---- key projects' figures -------------------------------------------------------------

INVESTMENT_SUM_CODE = "kp-investment-projects"  # the projects' investment added up (汇总)


@transaction.atomic
def sync_investment_plan(*, project: KeyProject) -> Indicator | None:
    """Keep the project's investment indicator in step with its record: the target is the
    annual planned investment (亿元), the department the project's responsible unit. The
    sum of the projects' investment (``INVESTMENT_SUM_CODE``) gets the project's indicator
    among its parts and the parts' targets added up as its own. Returns the indicator
    (None when the project has none)."""
    indicator = project.investment_indicator
    if indicator is None:
        return None
    changed = []
    if indicator.target_value != project.annual_planned_investment:
        indicator.target_value = project.annual_planned_investment
        changed.append("target_value")
    if indicator.department_id != project.department_id:
        indicator.department_id = project.department_id
        changed.append("department")
    if changed:
        indicator.save(update_fields=changed)
    total = Indicator.objects.filter(
        plan=indicator.plan_id, code=INVESTMENT_SUM_CODE, kind=Indicator.Kind.SUM
    ).first()
    if total is not None:
        if not total.parts.filter(pk=indicator.pk).exists():
            if message := total.parts_refusal([indicator]):
                raise ValueError(message)
            total.parts.add(indicator)
        sync_sum_target(total)
    return indicator


def sync_sum_target(total: Indicator) -> None:
    """A sum's target is its parts' targets added up (none while a part has none)."""
    targets = list(total.parts.values_list("target_value", flat=True))
    value = sum(targets) if targets and None not in targets else None
    if total.target_value != value:
        total.target_value = value
        total.save(update_fields=["target_value"])

"""Who may open what: every URL pattern of the URL conf (pages, API, admin) × every role,
GET and POST, against an expected answer written down below.

The patterns are read from the resolver, not listed by hand: a new page, API route or
admin model is walked the day it is added, and a pattern with no rule here fails the
test until someone decides who may open it.

Answers: a status code, or where a redirect goes — ``LOGIN`` (the product's login page:
anonymous), ``ADMIN_LOGIN`` (the admin's login page: not a manager), ``REDIRECT``
(anywhere else: done, or sent on to the right page)."""

from __future__ import annotations

import re
from datetime import date
from io import StringIO

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from rest_framework.authtoken.models import Token

from projects.models import KeyProject, Milestone, Problem, ProblemEvent, RecoveryProject, SafetyCampaign
from targets import roles, rollups, services
from targets.evidence.files import prepare
from targets.evidence.services import attach_evidence
from targets.models import AuditEvent, Entry, Indicator, Report, UserProfile
from targets.notifications.models import Delivery, Notification, WebhookTarget
from targets.services import EntryInput

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "official", "clerk", "other_clerk", "manager")
LOGIN, ADMIN_LOGIN, REDIRECT = "login", "admin-login", "redirect"
# A 1×1 PNG: the problem's photo.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c49444154789c63606060000000040001f61738550000000049454e44ae426082"
)
MONDAY = date(2021, 10, 4)
SUNDAY = date(2021, 10, 10)  # the seeded indicators report weekly: figures are dated Sunday


# ---- The URL conf, walked.


def walk(resolver=None, prefix="", namespace=""):
    """(full route, qualified name or None, pattern) for every pattern, depth first."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern, prefix + str(pattern.pattern), ns)
        else:
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield prefix + str(pattern.pattern), name, pattern


def fill(route: str, values: dict, positional: list) -> str:
    """A concrete path for a route or regex: parameters from ``values`` by name,
    unnamed regex groups from ``positional`` in order."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m[1]]), route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m[1]]), path)
    rest = iter(positional)
    path = re.sub(r"\([^)]*\)", lambda m: str(next(rest)), path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


# ---- A small world: two departments' clerks, figures, a week, a report.


@pytest.fixture
def world(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    # Who may download the PDF is checked here; its content in tests/targets/reporting.
    monkeypatch.setattr("targets.reporting.reports.render_pdf", lambda data: b"%PDF-1.4\n%%EOF\n")
    call_command("seed_briefing", stdout=StringIO())
    own = Indicator.objects.get(code="kp-investment")
    other = Indicator.objects.get(code="safety-nine-small-inspected")
    # Everyone is marked staff: the admin must refuse non-managers on its own, not
    # because a flag happens to be off.
    users = {
        "official": _user("official", roles.OFFICIALS),
        "clerk": _user("clerk", roles.CLERKS, own.department),
        "other_clerk": _user("other_clerk", roles.CLERKS, other.department),
        "manager": _user("manager", roles.MANAGERS),
    }
    clerk, manager = users["clerk"], users["manager"]
    services.record_entries(user=clerk, rows=[EntryInput(own, SUNDAY, "1.5")])
    services.record_entries(user=users["other_clerk"], rows=[EntryInput(other, SUNDAY, "12")])
    week = services.submit_week(user=clerk, department=own.department, week_start=MONDAY)
    entry = Entry.objects.get(indicator=own, date=SUNDAY)
    rollups.refresh([own.pk, other.pk], today=date(2021, 11, 19))
    report = Report.objects.create(
        kind=Report.Kind.WEEK,
        period_start=MONDAY,
        period_end=date(2021, 10, 10),
        as_of=date(2021, 10, 10),
        title="周报",
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="week.pdf"),
        created_by=manager,
    )
    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    CrontabSchedule.objects.create(minute="0", hour="3")
    SolarSchedule.objects.create(event="sunrise", latitude=34.7, longitude=113.6)
    ClockedSchedule.objects.create(clocked_time="2021-10-04T08:00:00+08:00")
    PeriodicTask.objects.create(name="夜间重算", task="targets.tasks.rebuild", interval=every)
    Token.objects.create(user=clerk)
    AuditEvent.objects.create(user=clerk, username="clerk", action="login", ip="10.0.0.1")
    key = KeyProject.objects.filter(department=own.department).first() or KeyProject.objects.first()
    problem, _created = Problem.objects.get_or_create(
        key_project=key, title="征地未完成", defaults={"department": own.department, "raised_on": MONDAY}
    )
    ProblemEvent.objects.get_or_create(problem=problem, move="raise", to_status=problem.status)
    photo = attach_evidence(
        user=clerk,
        owner=problem,
        prepared=prepare(SimpleUploadedFile("site.png", PNG_BYTES)),
        purpose="problem_photo",
    )
    if not Milestone.objects.filter(project=key).exists():
        Milestone.objects.create(project=key, kind="start", name="开工", planned_date=MONDAY)
    # The clerk's notification (everyone else: 404) and a delivery that failed for good.
    notification = Notification.objects.create(recipient=clerk, kind="week_returned", title="周报被退回")
    robot = WebhookTarget.objects.create(
        name="经发局群", kind="wecom", url="http://127.0.0.1:9/robot", department=own.department
    )
    failed = Delivery.objects.create(
        notification=notification, channel="wecom", target=robot, status="failed", attempts=6
    )
    values = {
        "monday": MONDAY.isoformat(),
        "day": MONDAY.isoformat(),
        "indicator_id": own.pk,
        "code": own.department.code,
        "kind": "week",
        "app_label": "targets",
        "url": "no-such-page/",
        "plan_code": "2021q4",
    }
    pks = {
        "projects:key_detail": key.pk,
        "projects:key_progress": key.pk,
        "report_download": report.pk,
        "review_week": week.pk,
        "approve_week": week.pk,
        "return_week": week.pk,
        "unlock_week": week.pk,
        "indicator_detail": own.pk,
        "api-indicator-detail": own.pk,
        "api-indicator-series": own.pk,
        "api-entry-detail": entry.pk,
        "api-project-detail": f"key-{key.pk}",
        "api-campaign-detail": SafetyCampaign.objects.first().pk,
        "problems:detail": problem.pk,
        "api-problem-detail": problem.pk,
        "api-problem-start": problem.pk,
        "api-problem-request-close": problem.pk,
        "api-problem-close": problem.pk,
        "api-problem-return": problem.pk,
        "api-problem-evidence": problem.pk,
        "evidence:file": photo.pk,
        "evidence:thumb": photo.pk,
        "projects:milestone_evidence": Milestone.objects.filter(project=key).first().pk,
        "notifications:read": notification.pk,
        "notifications:retry": failed.pk,
        "api-notification-read": notification.pk,
    }
    objects = {
        "auth.user": clerk,
        "auth.group": Group.objects.get(name=roles.CLERKS),
        "targets.entry": entry,
        "targets.submission": week,
        "targets.indicator": own,
        "targets.department": own.department,
        "targets.userprofile": UserProfile.objects.get(user=clerk),
        "targets.auditevent": AuditEvent.objects.first(),
        "targets.periodvalue": own.period_values.first(),
        "projects.keyproject": key,
        "projects.recoveryproject": RecoveryProject.objects.first(),
        "projects.safetycampaign": SafetyCampaign.objects.first(),
        "projects.milestone": Milestone.objects.first(),
        "projects.problem": problem,
        "projects.problemevent": ProblemEvent.objects.first(),
        "notifications.webhooktarget": robot,
        "axes.accessattempt": AccessAttempt.objects.create(
            username="clerk", ip_address="10.0.0.1", user_agent="t", failures_since_start=1
        ),
        "axes.accesslog": AccessLog.objects.create(username="clerk", ip_address="10.0.0.1", user_agent="t"),
        "axes.accessfailurelog": AccessFailureLog.objects.create(
            username="clerk", ip_address="10.0.0.1", user_agent="t"
        ),
    }
    return {"users": users, "values": values, "pks": pks, "objects": objects}


def _user(username, group, department=None, **extra) -> User:
    user = User.objects.create_user(username, password="pw-" + username, is_staff=True, **extra)
    user.groups.add(Group.objects.get(name=group))
    UserProfile.objects.create(user=user, department=department)
    return user


def admin_object(world, route: str):
    """The object an admin route of app/model is about (the first one stored)."""
    match = re.match(r"admin/(\w+)/(\w+)/", route)
    label = f"{match[1]}.{match[2]}"
    if label in world["objects"] and world["objects"][label] is not None:
        return world["objects"][label]
    model = ContentType.objects.get_by_natural_key(match[1], match[2]).model_class()
    return model._default_manager.first()


def urls(world) -> list[tuple[str, str]]:
    """(rule key, path) for every pattern: the key is the qualified name, or the route
    for the few unnamed ones."""
    found = []
    for route, name, pattern in walk():
        values = dict(world["values"])
        positional = []
        if name in world["pks"]:
            values["pk"] = world["pks"][name]
        if name == "admin:view_on_site":
            values["content_type_id"] = ContentType.objects.get_for_model(Indicator).pk
            values["object_id"] = world["pks"]["indicator_detail"]
        elif route.startswith("admin/") and ("object_id" in route or "([^/]+)" in route):
            obj = admin_object(world, route)
            assert obj is not None, f"no object to fill {route}: add one to the world"
            values["object_id"] = quote(obj.pk)
            if "([^/]+)" in route:  # simple-history's /<id>/history/<history id>/
                positional = [obj.pk, obj.history.latest("history_date").history_id]
        if name == "admin:auth_user_password_change":
            values["id"] = world["users"]["clerk"].pk
        path = fill(route, values, positional)
        match = resolve(path)
        assert match.func == pattern.callback or match.url_name == pattern.name, (route, path)
        found.append((name or route, path))
    return found


def answer(response) -> int | str:
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        if location.startswith("/accounts/login/"):
            return LOGIN
        return REDIRECT
    return response.status_code


def client_for(world, role: str) -> Client:
    """The role's client, signed in (again, after a page that logs out)."""
    clients = world.setdefault("clients", {})
    client = clients.setdefault(role, Client())
    if role != "anonymous" and "_auth_user_id" not in client.session:
        client.force_login(world["users"][role])
    return client


# ---- The rules. Columns: anonymous, official, clerk, clerk of another department, manager.
# "clerk" pages are asked about the clerk's department (?dept=, the clerk's indicator and
# entry), so the other department's clerk is the one who must be refused.

A, L, R = ADMIN_LOGIN, LOGIN, REDIRECT
EVERYONE = (L, 200, 200, 200, 200)  # every role reads it
MANAGERS = (L, 403, 403, 403, 200)
WRITERS = (L, 403, R, 403, R)  # the clerk of the department, and managers
NO_POST = (L, 405, 405, 405, 405)
API_READ = (401, 200, 200, 200, 200)
API_NO_WRITE = (401, 405, 405, 405, 405)

# name (or route of an unnamed pattern): (GET, POST), or GET, POST and PATCH.
PAGES: dict[str, tuple] = {
    "login": ((200,) * 5, (200,) * 5),  # an empty POST: the form with its errors
    "logout": ((L, 405, 405, 405, 405), (L,) * 5),
    "api_token": (EVERYONE, (L, R, R, R, R)),
    # The health check: no login (a monitor calls it), nothing secret in it.
    "healthz": ((200,) * 5, (405,) * 5),
    "login_lockouts": (MANAGERS, NO_POST),
    "login_unlock": (NO_POST, (L, 403, 403, 403, R)),  # POST without a name: back to the list
    "set_language": ((R,) * 5, (R,) * 5),
    # Read-only pages (dashboards, lists, exports) answer a POST with 405, as class-based
    # views do, before asking who is calling.
    "home": (EVERYONE, NO_POST),
    "goal_tree": (EVERYONE, NO_POST),
    "indicator_detail": (EVERYONE, NO_POST),
    "department_list": (EVERYONE, NO_POST),
    "department_detail": (EVERYONE, NO_POST),
    "projects:key_list": (EVERYONE, NO_POST),
    "projects:key_detail": (EVERYONE, NO_POST),
    "projects:safety": (EVERYONE, NO_POST),
    "projects:recovery": (EVERYONE, NO_POST),
    # Problems: everyone reads; the unit's clerk and managers raise and work on them.
    # (A clerk of another unit gets the raise form back: their own unit is the only one.)
    "problems:list": (EVERYONE, NO_POST),
    "problems:counts": (EVERYONE, NO_POST),  # its XLSX/CSV: managers (tests/projects/test_problem_counts.py)
    "problems:raise": ((L, 403, 200, 200, 200), (L, 403, R, 200, R)),
    # The API's start (asked before the page) has moved the problem on: the page's start is
    # then 409 for those who may make it, 403 for the rest.
    "problems:detail": (EVERYONE, (L, 403, 409, 403, 409)),
    # Data entry: the clerk of the department and managers; officials never.
    "entry_current": ((L, 403, R, 403, R), NO_POST),
    "entry_week": ((L, 403, 200, 403, 200), WRITERS),
    "entry_submit": (NO_POST, WRITERS),
    "entry_template": ((L, 403, 200, 403, 200), NO_POST),
    "entry_import": ((L, 403, 200, 403, 200), (L, 403, 400, 403, 400)),  # POST without a file
    "entry_import_confirm": (NO_POST, WRITERS),
    "entry_history": ((L, 200, 200, 403, 200), NO_POST),
    # Approvals and reports: managers.
    "approvals": (MANAGERS, NO_POST),
    "timeliness": (MANAGERS, NO_POST),
    "review_week": (MANAGERS, NO_POST),  # what a manager reads before approving
    "approve_week": (NO_POST, (L, 403, 403, 403, R)),
    "return_week": (NO_POST, (L, 403, 403, 403, R)),
    "unlock_week": (NO_POST, (L, 403, 403, 403, R)),
    "report_archive": (MANAGERS, NO_POST),
    "report_archive_build": (NO_POST, (L, 403, 403, 403, 404)),  # POST without a period
    "report_download": (MANAGERS, NO_POST),
    "report": (MANAGERS, NO_POST),
    "report_pdf": (MANAGERS, NO_POST),
    # Work plans: every role reads the published ones; managers write them. (An empty POST:
    # the form again with its errors, or nothing to save; the close is refused, its reason
    # too long, so the plan stays open for the pages after it.)
    "plans:list": (EVERYONE, NO_POST),
    "plans:create": (MANAGERS, (L, 403, 403, 403, 400)),
    "plans:detail": (EVERYONE, NO_POST),
    "plans:copy": (MANAGERS, (L, 403, 403, 403, 400)),
    "plans:grid": (MANAGERS, (L, 403, 403, 403, R)),
    "plans:publish": (NO_POST, (L, 403, 403, 403, R)),  # already published: refused, back
    "plans:close": (NO_POST, (L, 403, 403, 403, R)),
    "plans:export": (MANAGERS, NO_POST),
    "plans:import": (MANAGERS, (L, 403, 403, 403, 400)),  # POST without a file
    "plans:import_confirm": (NO_POST, (L, 403, 403, 403, R)),
    # Notifications: everyone has an inbox; one's own only (someone else's: 404, as if it
    # did not exist); managers retry failed deliveries.
    "notifications:inbox": (EVERYONE, NO_POST),
    "notifications:read": (NO_POST, (L, 404, R, 404, 404)),
    "notifications:read_all": (NO_POST, (L, R, R, R, R)),
    "notifications:retry": (NO_POST, (L, 403, 403, 403, R)),
    # The API: 401 JSON for anonymous callers; writes by the department's clerk or managers.
    "api-indicator-list": (API_READ, API_NO_WRITE),
    "api-indicator-detail": (API_READ, API_NO_WRITE),
    "api-indicator-series": (API_READ, API_NO_WRITE),
    "api-entry-list": (API_READ, (401, 403, 201, 403, 201)),
    "api-entry-detail": ((401, 200, 200, 403, 200), API_NO_WRITE, (401, 403, 200, 403, 200)),
    "api-project-list": (API_READ, API_NO_WRITE),
    "api-project-detail": (API_READ, API_NO_WRITE),
    "api-campaign-list": (API_READ, API_NO_WRITE),
    "api-campaign-detail": (API_READ, API_NO_WRITE),
    "api-rollup-refresh": (API_NO_WRITE, (401, 403, 202, 403, 202)),
    "api-problem-list": (API_READ, (401, 403, 201, 403, 201)),
    "api-problem-detail": (API_READ, API_NO_WRITE),
    # Asked in this order on a problem 待整改: close, request-close, return (the status
    # allows none: 409 for who may make them), start (allowed: 200).
    "api-problem-close": (API_NO_WRITE, (401, 403, 403, 403, 409)),
    "api-problem-request-close": (API_NO_WRITE, (401, 403, 409, 403, 409)),
    "api-problem-return": (API_NO_WRITE, (401, 403, 403, 403, 409)),
    "api-problem-start": (API_NO_WRITE, (401, 403, 200, 403, 200)),
    # Evidence: the unit's clerk and managers upload (multipart only: the JSON body asked
    # here is 415 for them); the files are seen by officials, managers and the unit.
    "api-problem-evidence": (API_NO_WRITE, (401, 403, 415, 403, 415)),
    "evidence:file": ((L, 200, 200, 403, 200), NO_POST),
    "evidence:thumb": ((L, 200, 200, 403, 200), NO_POST),
    # A milestone's proof: everyone reads the page (another unit's clerk without the files);
    # the unit's clerk and managers upload (a POST without a file: the form again, 400).
    "projects:milestone_evidence": (EVERYONE, (L, 403, 400, 403, 400)),
    # A key project's 形象进度: its unit's clerk and managers add one (back to the project).
    "projects:key_progress": ((L, 403, 200, 403, 200), WRITERS),
    "api-rollup-status": (API_READ, API_NO_WRITE),
    "api-notification-list": (API_READ, API_NO_WRITE),
    "api-notification-read": (API_NO_WRITE, (401, 404, 200, 404, 404)),
    "api-schema": (API_READ, API_NO_WRITE),
    "api-docs": (EVERYONE, NO_POST),
    "api/v1/^": ((401, 404, 404, 404, 404), (401, 404, 404, 404, 404)),
    # The admin site itself: managers (and superusers) only.
    "admin:index": ((A, A, A, A, 200), (A, A, A, A, 200)),
    "admin:login": ((200, 200, 200, 200, R), (200,) * 5),
    "admin:logout": ((A, R, R, R, 405), (A, R, R, R, L)),
    "admin:password_change": ((A, A, A, A, 200), (A, A, A, A, 200)),
    "admin:password_change_done": ((A, A, A, A, 200), (A, A, A, A, 405)),
    "admin:autocomplete": ((A, A, A, A, 403), (A, A, A, A, 405)),
    "admin:jsi18n": ((A, A, A, A, 200), (A, A, A, A, 405)),
    "admin:view_on_site": ((A, A, A, A, 404), (A, A, A, A, 404)),
    "admin:app_list": ((A, A, A, A, 200), (A, A, A, A, 200)),
    "admin/(?P<url>.*)$": ((A, A, A, A, 404), (A, A, A, A, 404)),
}

# What a manager may do with each model in the admin. Entries, weeks, roll-ups and the
# audit log are read-only (written by targets.services, the roll-up, the app); users,
# groups, schedules and tokens are for superusers.
NONE, VIEW, CHANGE, ADD = "none", "view", "change", "add and change"
ADMIN_MODELS = {
    "auth.user": NONE,
    "auth.group": NONE,
    "django_celery_beat.periodictask": NONE,
    "django_celery_beat.clockedschedule": NONE,
    "django_celery_beat.crontabschedule": NONE,
    "django_celery_beat.solarschedule": NONE,
    "django_celery_beat.intervalschedule": NONE,
    "authtoken.tokenproxy": NONE,
    # Failed logins: unlocked by managers at /accounts/lockouts/, by superusers here.
    "axes.accessattempt": NONE,
    "axes.accesslog": NONE,
    "axes.accessfailurelog": NONE,
    "targets.entry": VIEW,
    "targets.submission": VIEW,
    "targets.periodvalue": VIEW,
    "targets.auditevent": VIEW,
    "targets.department": CHANGE,
    "targets.goal": CHANGE,
    "targets.userprofile": CHANGE,
    "targets.indicator": ADD,
    "projects.coreblock": VIEW,
    "projects.recoveryfield": VIEW,
    "projects.recoveryproject": CHANGE,
    "projects.safetycampaign": CHANGE,
    "projects.keyproject": ADD,
    "projects.milestone": ADD,
    "projects.problem": VIEW,  # problems move through the product only (projects.services)
    "projects.problemevent": VIEW,
    "notifications.webhooktarget": ADD,  # group robots: managers add and change, never delete
}


def manager_in_admin(action: str, may: str) -> tuple:
    """The manager's (GET, POST) answer for one admin view of a model."""
    if action == "redirect":  # /<id>/ → /<id>/change/
        return R, R
    if may == NONE:
        return 403, 403
    changes = may in (CHANGE, ADD)
    return {
        "changelist": (200, 200),  # a POST without an action: the list again
        "history": (200, 200),
        "simple_history": (200, 403),  # an old version: read, never saved
        "change": (200, 200 if changes else 403),  # a POST with errors: the form again
        "add": (200, 200) if may == ADD else (403, 403),
        "delete": (403, 403),  # nothing is deleted in the admin
        "password": (403, 403),
    }[action]


def expected(key: str) -> tuple | None:
    """(GET, POST[, PATCH]) answers per role for a pattern, or None: no rule yet."""
    if key in PAGES:
        return PAGES[key]
    actions = "changelist|add|history|delete|change|simple_history"
    for label in ADMIN_MODELS:
        app, model = label.split(".")
        if key == "admin:auth_user_password_change":  # /admin/auth/user/<id>/password/
            label, action = "auth.user", "password"
            break
        if match := re.fullmatch(rf"admin:{app}_{model}_({actions})", key):
            action = match[1]
            break
        if key == f"admin/{app}/{model}/<path:object_id>/":
            action = "redirect"
            break
    else:
        return None
    get, post = manager_in_admin(action, ADMIN_MODELS[label])
    return (L, A, A, A, get), (L, A, A, A, post)


def bodies(world) -> dict:
    """What a POST (or PATCH) sends, per pattern: a real write where the page writes."""
    own = world["pks"]["indicator_detail"]
    dept = world["values"]["code"]
    # Weekly indicators of the clerk's unit: a figure is dated on Sunday (10 October's is
    # kp-investment's, saved above; sci-projects-signed's is still empty).
    signed = Indicator.objects.get(code="sci-projects-signed").pk
    cell = f"{signed}_20211010"
    return {
        "entry_week": {"dept": dept, f"c_{cell}": "2", f"o_{cell}": "", f"v_{cell}": ""},
        "entry_submit": {"dept": dept},
        "entry_import": {"dept": dept},
        "entry_import_confirm": {"dept": dept, "token": "x"},
        "api-entry-list": {"indicator": own, "date": "2021-10-17", "value": "1"},
        "api-entry-detail": {"value": "1.6", "version": 1},
        "api-rollup-refresh": {"indicators": [own]},
        "api-problem-list": {
            "title": "道路未贯通",
            "department": dept,
            "key_project": world["pks"]["projects:key_detail"],
        },
        "api-problem-request-close": {"comment": "已整改"},
        "api-problem-return": {"comment": "资料不全"},
        "problems:raise": {
            "title": "道路未贯通",
            "department": world["objects"]["targets.department"].pk,
            "severity": "general",
            "due_date": "2021-12-01",
            "key_project": world["pks"]["projects:key_detail"],
        },
        "problems:detail": {"move": "start", "comment": ""},
        "projects:key_progress": {"date": "2021-11-15", "text": "主体结构施工至15层"},
        "plans:close": {"reason": "x" * 1001},
    }


def ask(world, role: str, method: str, key: str, path: str):
    client = client_for(world, role)
    body = bodies(world).get(key, {})
    if key.startswith("entry_") and method == "get":
        path += f"?dept={world['values']['code']}"
    if key.startswith("api"):
        return answer(getattr(client, method)(path, body, content_type="application/json"))
    if method == "get":
        return answer(client.get(path))
    return answer(getattr(client, method)(path, body))


METHODS = ("get", "post", "patch")


@pytest.mark.parametrize("role", ROLES)
def test_it_answers_every_url_as_the_table_says(world, role):
    column = ROLES.index(role)
    unruled, wrong, checked = [], [], 0
    for key, path in urls(world):
        rule = expected(key)
        if rule is None:
            unruled.append(key)
            continue
        for method, answers in zip(METHODS, rule, strict=False):
            got = ask(world, role, method, key, path)
            checked += 1
            if got != answers[column]:
                wrong.append(f"{method.upper()} {path} ({key}): {got}, expected {answers[column]}")
    assert (unruled, wrong) == ([], []), "unruled: URL patterns with no rule in this file"
    assert checked >= 2 * 195
    print(f"access matrix: {role}: {checked} pattern × method answers checked")

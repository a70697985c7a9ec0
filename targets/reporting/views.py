"""Reports: the archive page, the printable HTML report, its PDF and archived downloads.
Managers and superusers only; every PDF download is audited."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from targets import audit, clock, current, params, roles
from targets.models import Report
from targets.reporting import reports
from targets.reporting.exports import content_disposition

# Reports are exports: managers and superusers only.
exporters_only = roles.capability_required(roles.EXPORT)


def _period(kind: str, day: str):
    if kind not in reports.KINDS:
        raise Http404
    return reports.report_period(kind, params.path_day(day))


def _pdf_response(content, filename: str, ascii_name: str):
    response = content if isinstance(content, HttpResponseBase) else HttpResponse(content)
    response["Content-Type"] = "application/pdf"
    response["Content-Disposition"] = content_disposition(filename, ascii_name)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@exporters_only
def archive(request):
    """Archived PDFs (newest first) and links to build any recent period's report of the
    plan (``?plan=``, else the plan of today)."""
    scope = current.request_scope(request)
    choices = current.choices(scope.plan)
    return render(
        request,
        "reports/archive.html",
        {
            "reports": Report.objects.select_related("created_by")[:200],
            "choices": reports.recent_periods(clock.today(), scope.plan),
            "plan": scope.plan,
            "plan_choices": choices if len(choices) > 1 else [],
        },
    )


@require_POST
@exporters_only
def archive_build(request):
    """Build a period's PDF now and keep it in the archive."""
    period = _period(request.POST.get("kind", ""), request.POST.get("day", ""))
    plan = current.asked_plan(request.POST.get(current.PARAM), request.user)
    report = reports.archive_report(period.type, period.start, user=request.user, plan=plan)
    audit.record("report_archive", request=request, target=report.title, kind=period.type)
    messages.success(request, _("已生成并存档：%(title)s") % {"title": report.title})
    return redirect("report_archive")


@require_GET
@exporters_only
def report(request, kind: str, day: str):
    """The printable HTML report of the period containing ``day``."""
    period = _period(kind, day)
    if period.start.isoformat() != day:
        return redirect("report", kind=kind, day=period.start.isoformat())
    data = reports.build(kind, period.start, current.asked_plan(request.GET.get(current.PARAM), request.user))
    return HttpResponse(reports.render_html(data, request=request))


@require_GET
@exporters_only
def report_pdf(request, kind: str, day: str):
    """The report as a PDF download, built now from the current roll-up."""
    period = _period(kind, day)
    if period.start.isoformat() != day:
        return redirect("report_pdf", kind=kind, day=period.start.isoformat())
    data = reports.build(kind, period.start, current.asked_plan(request.GET.get(current.PARAM), request.user))
    pdf = reports.render_pdf(data)
    filename = reports.report_filename(period, data.plan)
    audit.record("export", request=request, target=filename, format="pdf", path=request.path)
    return _pdf_response(pdf, filename, f"report-{kind}-{period.start.isoformat()}.pdf")


@require_GET
@exporters_only
def report_download(request, pk: int):
    """An archived PDF, through this login- and role-checked view (never public media)."""
    report = get_object_or_404(Report, pk=pk)
    filename = f"{report.title}_{report.period_start.isoformat()}.pdf"
    audit.record("export", request=request, target=filename, format="pdf", report=report.pk)
    response = FileResponse(report.file.open("rb"))
    return _pdf_response(response, filename, f"report-{report.kind}-{report.period_start.isoformat()}.pdf")

"""Problem pages: the list (filters, XLSX/CSV export), one problem (details, history and
the moves the user may make), and the raise form. Thin: the writes are
``projects.services.raise_problem`` and ``move_problem``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from django_tables2 import SingleTableMixin

from projects import selectors, services
from projects.models import Problem
from projects.tables import ProblemCountTable, ProblemTable
from targets import clock, roles
from targets.reporting import exports
from targets.reporting.exports import ManagerExportMixin

from .filters import ProblemFilter
from .forms import MoveForm, RaiseForm


class ProblemListView(ManagerExportMixin, SingleTableMixin, TemplateView):
    """Every problem, filterable by status, unit, severity and overdue; sortable."""

    template_name = "projects/problems/list.html"
    table_class = ProblemTable
    table_pagination = {"per_page": 50}

    def _overdue_only(self) -> bool:
        return self.request.GET.get("overdue") == "1"

    def get_export_name(self) -> str:
        """The overdue list (``?overdue=1``) is a file of its own name: 逾期问题清单."""
        return _("逾期问题清单") if self._overdue_only() else _("问题清单")

    @property
    def export_ascii_name(self) -> str:
        return "problems-overdue" if self._overdue_only() else "problems"

    def get_table_data(self):
        self.filterset = ProblemFilter(self.request.GET, queryset=Problem.objects.for_list())
        return self.filterset.qs

    def get_table_kwargs(self):
        return {"today": clock.today()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["may_raise"] = roles.is_manager(self.request.user) or roles.is_clerk(self.request.user)
        return context


problem_list = ProblemListView.as_view()


@require_GET
def problem_counts(request):
    """Problems per responsible unit by status, not yet 销号 and overdue (as of the
    product's today), with the total; managers export it (XLSX/CSV)."""
    today = clock.today()
    return exports.table_response(
        request,
        ProblemCountTable(selectors.problem_counts(today)),
        "projects/problems/counts.html",
        {"today": today},
        name=_("问题统计"),
        ascii_name="problem-counts",
        day=today,
    )


def problem_detail(request, pk: int):
    """One problem; a POST makes one move (``move`` and ``comment``)."""
    problem = get_object_or_404(Problem.objects.for_list(), pk=pk)
    form = MoveForm(request.POST or None)
    error = None
    status = 200
    if request.method == "POST":
        move = request.POST.get("move", "")
        if move not in services.MOVES:
            error, status = _("未知的操作。"), 400
        elif not services.may_move(request.user, move, problem):
            raise PermissionDenied(_("无权对该问题执行此操作。"))
        elif form.is_valid():
            try:
                services.move_problem(
                    user=request.user,
                    problem=problem,
                    move=move,
                    comment=form.cleaned_data["comment"],
                    request=request,
                )
            except services.ProblemRefused as exc:
                error, status = exc.message, (409 if exc.code == "state" else 400)
            else:
                messages.success(request, _("已%(move)s。") % {"move": services.MOVES[move].label})
                return redirect("problems:detail", pk=problem.pk)
        else:
            error, status = _("请检查说明。"), 400
    moves = [(m, services.MOVES[m]) for m in services.available_moves(request.user, problem)]
    return render(
        request,
        "projects/problems/detail.html",
        {
            "problem": problem,
            "events": problem.events.all(),
            "moves": moves,
            "form": form,
            "error": error,
            "overdue": problem.is_overdue(clock.today()),
        },
        status=status,
    )


def problem_raise(request):
    """The raise form, prefilled from ``?key_project=``, ``?indicator=`` or ``?campaign=``
    (and the subject's unit). Clerks and managers only."""
    if not (roles.is_manager(request.user) or roles.is_clerk(request.user)):
        raise PermissionDenied(_("只有填报员和管理员可以提出问题。"))
    if request.method == "POST":
        form = RaiseForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                problem = services.raise_problem(user=request.user, request=request, **form.cleaned_data)
            except services.ProblemRefused as exc:
                if exc.code == "forbidden":
                    raise PermissionDenied(exc.message) from exc
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("问题已提出。"))
                return redirect("problems:detail", pk=problem.pk)
    else:
        initial = {
            key: request.GET[key] for key in ("key_project", "indicator", "campaign") if request.GET.get(key)
        }
        form = RaiseForm(initial=initial, user=request.user)
        for key, value in initial.items():
            field = form.fields[key]
            subject = (
                field.queryset.filter(pk=value).select_related("department").first()
                if value.isdigit()
                else None
            )
            if subject is not None:
                form.initial["department"] = subject.department_id
                break
    return render(request, "projects/problems/raise.html", {"form": form})

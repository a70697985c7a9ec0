"""Reports: the archive, printable HTML, PDF and archived downloads (managers only)."""

from django.urls import path, re_path

from . import views

KIND = r"(?P<kind>week|month|quarter)"
DAY = r"(?P<day>\d{4}-\d{2}-\d{2})"

urlpatterns = [
    path("", views.archive, name="report_archive"),
    path("archive/", views.archive_build, name="report_archive_build"),
    path("files/<int:pk>.pdf", views.report_download, name="report_download"),
    re_path(rf"^{KIND}/{DAY}/$", views.report, name="report"),
    re_path(rf"^{KIND}/{DAY}\.pdf$", views.report_pdf, name="report_pdf"),
]

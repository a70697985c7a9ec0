"""Weekly entry, approvals, XLSX import."""

from django.urls import path

from . import views

urlpatterns = [
    path("entry/", views.entry_current, name="entry_current"),
    path("entry/<str:monday>/", views.entry_week, name="entry_week"),
    path("entry/<str:monday>/submit/", views.entry_submit, name="entry_submit"),
    path("entry/<str:monday>/template.xlsx", views.entry_template, name="entry_template"),
    path("entry/<str:monday>/import/", views.entry_import, name="entry_import"),
    path("entry/<str:monday>/import/confirm/", views.entry_import_confirm, name="entry_import_confirm"),
    path("entry/history/<int:indicator_id>/<str:day>/", views.cell_history, name="entry_history"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/timeliness/", views.timeliness_table, name="timeliness"),
    path("approvals/<int:pk>/", views.review_week, name="review_week"),
    # One view moves a week; each move keeps its own address and name.
    path("approvals/<int:pk>/approve/", views.review, {"move": "approve"}, name="approve_week"),
    path("approvals/<int:pk>/return/", views.review, {"move": "return"}, name="return_week"),
    path("approvals/<int:pk>/unlock/", views.review, {"move": "unlock"}, name="unlock_week"),
]

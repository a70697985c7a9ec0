"""Work plans: list, create, detail, copy, grid, publish, close, XLSX out and in."""

from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("<slug:plan_code>/", views.plan_detail, name="detail"),
    path("<slug:plan_code>/copy/", views.plan_copy, name="copy"),
    path("<slug:plan_code>/grid/", views.plan_grid, name="grid"),
    path("<slug:plan_code>/publish/", views.plan_publish, name="publish"),
    path("<slug:plan_code>/close/", views.plan_close, name="close"),
    path("<slug:plan_code>/plan.xlsx", views.plan_export, name="export"),
    path("<slug:plan_code>/import/", views.plan_import, name="import"),
    path("<slug:plan_code>/import/confirm/", views.plan_import_confirm, name="import_confirm"),
]

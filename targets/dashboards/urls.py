from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("targets/goals/", views.goal_tree, name="goal_tree"),
    path("targets/indicators/<int:pk>/", views.indicator_detail, name="indicator_detail"),
    path("targets/departments/", views.department_list, name="department_list"),
    path("targets/departments/<slug:code>/", views.department_detail, name="department_detail"),
]

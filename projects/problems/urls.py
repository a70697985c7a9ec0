from django.urls import path

from . import views

app_name = "problems"
urlpatterns = [
    path("", views.problem_list, name="list"),
    path("counts/", views.problem_counts, name="counts"),
    path("new/", views.problem_raise, name="raise"),
    path("<int:pk>/", views.problem_detail, name="detail"),
]

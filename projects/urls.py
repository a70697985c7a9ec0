from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("key/", views.key_list, name="key_list"),
    path("key/<int:pk>/", views.key_detail, name="key_detail"),
    path("key/<int:pk>/progress/", views.key_progress, name="key_progress"),
    path("milestones/<int:pk>/evidence/", views.milestone_evidence, name="milestone_evidence"),
    path("safety/", views.safety, name="safety"),
    path("recovery/", views.recovery, name="recovery"),
]

from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("<int:pk>/", views.evidence_file, name="file"),
    path("<int:pk>/thumb/", views.evidence_thumb, name="thumb"),
]

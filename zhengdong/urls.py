from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from targets.account_views import lockouts, unlock_login
from targets.api.token import api_token
from zhengdong.health import healthz

handler400 = "zhengdong.errors.bad_request"
handler404 = "zhengdong.errors.page_not_found"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/token/", api_token, name="api_token"),
    path("accounts/lockouts/", lockouts, name="login_lockouts"),
    path("accounts/lockouts/unlock/", unlock_login, name="login_unlock"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("zhengdong.api_urls")),
    path("projects/", include("projects.urls")),
    path("problems/", include("projects.problems.urls")),
    path("reports/", include("targets.reporting.urls")),
    path("evidence/", include("targets.evidence.urls")),
    path("plans/", include("targets.plans.urls")),
    path("notifications/", include("targets.notifications.urls")),
    path("", include("targets.entry.urls")),
    path("", include("targets.dashboards.urls")),
]

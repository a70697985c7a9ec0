"""REST API v1: /api/v1/… (schema at schema/, interactive docs at docs/).

DRF views authenticate themselves (token or session) and are exempt from
LoginRequiredMiddleware, so an anonymous call gets 401 JSON, not a login page. The docs
page is for people: behind the login like every other page."""

from django.contrib.auth.decorators import login_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from projects.api.views import CampaignViewSet, ProblemViewSet, ProjectViewSet
from targets.api.views import (
    EntryViewSet,
    IndicatorViewSet,
    NotFoundView,
    RollupRefreshView,
    RollupStatusView,
)
from targets.notifications.api import NotificationViewSet

router = SimpleRouter(trailing_slash=True)
router.register("indicators", IndicatorViewSet, basename="api-indicator")
router.register("entries", EntryViewSet, basename="api-entry")
router.register("projects", ProjectViewSet, basename="api-project")
router.register("campaigns", CampaignViewSet, basename="api-campaign")
router.register("problems", ProblemViewSet, basename="api-problem")
router.register("notifications", NotificationViewSet, basename="api-notification")

urlpatterns = [
    *router.urls,
    path("rollups/refresh/", RollupRefreshView.as_view(), name="api-rollup-refresh"),
    path("rollups/status/", RollupStatusView.as_view(), name="api-rollup-status"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view loads its start-up script from docs/?script: no inline script (CSP).
    path(
        "docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"
    ),
    # Anything else under /api/v1/ is a 404 in the API's error shape, not an HTML page.
    re_path(r"^", NotFoundView.as_view()),
]

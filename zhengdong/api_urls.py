"""REST API v1 (see the API issue)."""

urlpatterns: list = []

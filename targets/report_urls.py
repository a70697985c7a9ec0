"""Reports: HTML, PDF and the archive (see the exports issue)."""

urlpatterns: list = []

"""Weekly entry, approvals, XLSX import (see the weekly entry issue)."""

urlpatterns: list = []

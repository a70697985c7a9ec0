"""The admin site: a back office for managers and superusers only.

Everything a clerk or an official does has a page in the product; the admin shows every
department's figures, their history and the audit log (logins, IP addresses), so it
admits a user only if they are staff *and* a manager or superuser. A clerk given
``is_staff`` by mistake still gets the admin's login page."""

from django.contrib import admin

from targets import roles


class TrackerAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        return super().has_permission(request) and roles.is_manager(request.user)

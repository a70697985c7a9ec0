from django.contrib.admin.apps import AdminConfig


class TrackerAdminConfig(AdminConfig):
    """django.contrib.admin with our site (managers and superusers only) as the default."""

    default_site = "zhengdong.admin.TrackerAdminSite"

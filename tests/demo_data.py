"""The seeded briefing and demo, as ``make run`` shows them, loaded once per test class
(``setUpTestData``): the figures an official reads are checked on the real data."""

from datetime import date
from io import StringIO

from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import TestCase

# The demo's figures run to this day; pages are read as of it.
DEMO_DAY = date(2021, 11, 19)


class SeededDemo(TestCase):
    """The briefing (goals, indicators, projects, campaigns), the demo's figures rolled up
    and the demo users (official, manager, clerk, clerk2)."""

    @classmethod
    def setUpTestData(cls):
        call_command("demo_setup", "--skip-migrate", stdout=StringIO())
        cls.official = User.objects.get(username="official")
        cls.manager = User.objects.get(username="manager")
        cls.clerk = User.objects.get(username="clerk")
        cls.clerk2 = User.objects.get(username="clerk2")

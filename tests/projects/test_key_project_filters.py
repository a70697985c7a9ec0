"""The key-project list's filters (django-filter): each select offers its choices, keeps
the chosen one, combines with the others, and ignores a value that is not a choice."""

import pytest

from projects.models import CoreBlock, KeyProject
from tests.projects.test_dashboard_views import AS_OF, key_project, tree  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(tree):  # noqa: F811
    block = CoreBlock.objects.create(code="kunpeng", name="鲲鹏软件小镇")
    key_project(tree, "town", block=block)
    key_project(tree, "prov", level="province")
    key_project(tree, "both", block=block, level="province")
    return block


def listed(client, **query) -> list[str]:
    response = client.get("/projects/key/", {"as_of": AS_OF.isoformat(), **query})
    assert response.status_code == 200
    return sorted(p.code for p in response.context["table"].data)


def test_it_combines_the_filters(client, official, projects):
    client.force_login(official)
    assert listed(client, core_block=projects.pk) == ["both", "town"]
    assert listed(client, core_block=projects.pk, level="province") == ["both"]
    assert listed(client, stage=KeyProject.Stage.COMPLETED) == []


def test_it_ignores_a_value_that_is_not_a_choice(client, official, projects):
    client.force_login(official)
    assert listed(client, core_block="999999", level="province") == ["both", "prov"]
    assert listed(client, level="galactic") == ["both", "prov", "town"]


def test_it_shows_the_chosen_values_in_the_selects(client, official, projects):
    client.force_login(official)
    html = client.get("/projects/key/", {"core_block": projects.pk, "level": "province"}).content.decode()
    assert f'<option value="{projects.pk}" selected>鲲鹏软件小镇</option>' in html
    assert '<option value="province" selected>' in html
    assert '<select name="stage" data-autosubmit' in html  # submitted on change by static/js/site.js (CSP)
    assert "核心板块" in html and "全部" in html

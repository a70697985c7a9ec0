import pytest

from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_logs_an_official_in_through_the_browser(login_page, official):
    page = login_page(official)
    assert page.url.endswith("/")
    assert page.locator(".brand").inner_text() == "郑东新区目标任务跟踪"
    screenshot(page, "home-after-login")

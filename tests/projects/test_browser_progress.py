"""The 形象进度 form on a key project's page in a real browser, on a phone (390 px) and a
desktop: the unit's clerk opens it, writes, saves, and reads the new entry on top."""

from datetime import date

import pytest

from projects.models import KeyProject, ProgressNote
from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


@pytest.mark.parametrize("size_name", list(SIZES))
def test_the_units_clerk_adds_physical_progress_on_a_phone_and_a_desktop(
    login_page, live_server, settings, clerk, size_name
):
    settings.DEMO_TODAY = date(2021, 11, 19)
    project = KeyProject.objects.create(code="kp", name="智慧物流园", department=clerk.profile.department)
    ProgressNote.objects.create(project=project, date=date(2021, 10, 31), text="桩基施工完成60%")
    size = SIZES[size_name]
    page = login_page(clerk)
    page.set_viewport_size(size)
    page.goto(f"{live_server.url}/projects/key/{project.pk}/")
    page.locator(".progress-add summary").click()
    assert page.locator(".progress-form input[type=date]").input_value() == "2021-11-19"
    page.fill(".progress-form textarea", "主体结构施工至3层，二次结构砌筑完成20%")
    screenshot(page, f"key-project-progress-form-{size_name}")
    page.get_by_role("button", name="保存形象进度").click()
    page.wait_for_load_state()
    latest = page.locator(".progress-latest")
    assert "主体结构施工至3层，二次结构砌筑完成20%" in latest.text_content()
    assert "2021-11-19" in latest.text_content()
    page.locator(".progress-card summary", has_text="历史").click()
    assert page.locator(".progress-history li", has_text="桩基施工完成60%").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= size["width"], f"the project page is {width}px wide on {size_name}"
    screenshot(page, f"key-project-progress-saved-{size_name}")

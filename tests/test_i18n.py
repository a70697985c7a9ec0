"""English through the language switcher, Chinese by default, and a complete catalogue."""

import gettext
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from projects.models import KeyProject
from tests.targets.dashboards.dashboard_fixtures import Q4, even, make_indicator, make_tree, roll_up
from tests.targets.entry.entry_helpers import WEEK, indicators_fixture  # noqa: F401

AS_OF = date(2021, 11, 10)
CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
TEMPLATES = Path(settings.BASE_DIR) / "templates"
CJK = re.compile(r"[\u4e00-\u9fff\u3001-\u3011\uff01-\uff5e]")  # with full-width punctuation


@pytest.fixture
def board(db):
    tree = make_tree()
    signed = make_indicator(
        "sci-projects-signed", name="签约项目", goal=tree["line"], department=tree["econ"]
    )
    roll_up(signed, even(Q4[0], AS_OF, 2), until=AS_OF)
    behind = make_indicator(
        "kp-investment",
        name="重点项目投资",
        unit="亿元",
        target="92",
        goal=tree["line"],
        department=tree["econ"],
    )
    roll_up(behind, even(Q4[0], AS_OF, "0.5"), until=AS_OF)
    project = KeyProject.objects.create(
        code="kp1",
        name="郑东新区科创项目",
        level="city",
        annual_planned_investment=Decimal("40"),
        department=tree["econ"],
    )
    project.investment_indicator = behind
    project.save()
    return {"signed": signed, "behind": behind}


def switch_to_english(client, next_url="/"):
    response = client.post("/i18n/setlang/", {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def topbar(html: str) -> str:
    """The header: brand, main navigation, language switcher and log-out button."""
    return html.split('<header class="topbar">', 1)[1].split("</header>", 1)[0]


def test_it_shows_an_official_the_overview_indicator_and_key_projects_in_english(client, official, board):
    client.force_login(official)
    switch_to_english(client)

    overview = client.get("/", {"as_of": AS_OF.isoformat()}).content.decode()
    for label in ("Overview", "Key projects", "Post-flood recovery", "Work safety", "Log out"):
        assert label in topbar(overview)
    assert "总览" not in overview and "退出" not in overview
    assert '<html lang="en">' in overview
    assert "Indicators behind schedule" in overview and "Time elapsed" in overview

    indicator = client.get(
        f"/targets/indicators/{board['signed'].pk}/", {"period": "month", "as_of": AS_OF.isoformat()}
    )
    html = indicator.content.decode()
    assert "Cumulative actual and cumulative plan" in html and "Log out" in html
    # Period labels follow the language: month bars and table rows in English.
    assert indicator.context["figures"]["bars"]["data"][0]["x"] == ["Oct", "Nov", "Dec"]
    assert "Oct 2021" in html and "2021年10月" not in html
    dekads = client.get(
        f"/targets/indicators/{board['signed'].pk}/", {"period": "dekad", "as_of": AS_OF.isoformat()}
    )
    assert "Nov 2021 (early)" in dekads.content.decode() and "上旬" not in dekads.content.decode()

    projects = client.get("/projects/key/", {"as_of": AS_OF.isoformat()}).content.decode()
    assert "郑东新区科创项目" in projects  # data stays as entered
    assert "Responsible unit" in projects and "责任单位" not in projects


def test_it_shows_a_clerk_the_weekly_entry_page_in_english(client, clerk, indicators):
    client.force_login(clerk)
    switch_to_english(client)
    html = client.get(f"/entry/{WEEK.isoformat()}/").content.decode()
    assert "Weekly entry" in topbar(html) and "Log out" in topbar(html)
    assert "11 Oct 2021 – 17 Oct" in html  # the week, dated in English
    assert "Weekly entry: 经济发展局" in html and "Mon<br>" in html and "周一" not in html
    assert "Save draft" in html and "保存草稿" not in html
    assert "固定资产投资" in html  # indicator names are data


def test_it_stays_chinese_by_default_even_for_an_english_browser(client, official, board):
    client.force_login(official)
    html = client.get(
        "/", {"as_of": AS_OF.isoformat()}, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    ).content.decode()
    assert "总览" in topbar(html) and "退出" in html
    assert "Overview" not in html and "Log out" not in html
    assert '<html lang="zh-CN">' in html


def test_it_switches_back_to_chinese(client, official, board):
    client.force_login(official)
    switch_to_english(client)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "总览" in topbar(client.get("/").content.decode())


def parse_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstrs and flags (stdlib only)."""
    entries, current, field = [], None, None

    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}

    def unquote(text):
        return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), text[1:-1])

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if current is not None and current["seen"]:
                entries.append(current)
            current, field = None, None
            continue
        if line.startswith("#~"):  # obsolete: no longer in the code
            continue
        if current is None:
            current = {
                "msgctxt": None,
                "msgid": "",
                "msgid_plural": None,
                "msgstr": {},
                "flags": set(),
                "seen": False,
            }
        if line.startswith("#,"):
            current["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            field, current["msgctxt"] = "msgctxt", unquote(line[8:])
        elif line.startswith("msgid_plural "):
            field, current["msgid_plural"] = "msgid_plural", unquote(line[13:])
        elif line.startswith("msgid "):
            field, current["msgid"], current["seen"] = "msgid", unquote(line[6:]), True
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            field = ("msgstr", index)
            current["msgstr"][index] = unquote(line[line.index("]") + 2 :])
        elif line.startswith("msgstr "):
            field = ("msgstr", 0)
            current["msgstr"][0] = unquote(line[7:])
        elif line.startswith('"'):
            if isinstance(field, tuple):
                current["msgstr"][field[1]] += unquote(line)
            else:
                current[field] += unquote(line)
    return entries


def test_it_has_every_message_translated_and_compiled():
    entries = parse_po(CATALOGUE / "django.po")
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    assert len(messages) > 400
    assert [e["msgid"] for e in messages if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in messages if not all(s.strip() for s in e["msgstr"].values())] == []
    assert [e["msgid"] for e in messages if e["msgid_plural"] and len(e["msgstr"]) != 2] == []

    # The compiled .mo says the same thing as the .po (compilemessages was run).
    with open(CATALOGUE / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for e in messages:
        if e["msgid_plural"]:
            got = [compiled.ngettext(e["msgid"], e["msgid_plural"], n) for n in (1, 2)]
            want = [e["msgstr"][0], e["msgstr"][1]]
        elif e["msgctxt"] is not None:
            got, want = compiled.pgettext(e["msgctxt"], e["msgid"]), e["msgstr"][0]
        else:
            got, want = compiled.gettext(e["msgid"]), e["msgstr"][0]
        if got != want:
            stale.append(e["msgid"])
    assert stale == []


def test_it_keeps_placeholders_in_every_translation():
    placeholder = re.compile(r"%\(\w+\)[sd]|%%|%[sd]|\{\w*\}")
    wrong = [
        (e["msgid"], s)
        for e in parse_po(CATALOGUE / "django.po")[1:]
        for s in e["msgstr"].values()
        if sorted(placeholder.findall(e["msgid"])) != sorted(placeholder.findall(s))
    ]
    assert wrong == []


def test_it_wraps_every_chinese_text_in_the_templates_for_translation():
    """Chinese outside {% translate %}, {% blocktranslate %}, _("…") and comments would stay
    Chinese on the English pages."""
    left = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", "", text, flags=re.S)
        text = re.sub(r"{%\s*translate\s.*?%}", "", text, flags=re.S)
        text = re.sub(r'_\("[^"]*"\)', "", text)
        text = re.sub(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", text, flags=re.S)
        left += [
            f"{path.relative_to(TEMPLATES)}: {line.strip()}" for line in text.splitlines() if CJK.search(line)
        ]
    assert left == []

"""One table per listing: the page a manager reads and the file they download have the
same columns and the same figures (to the places the page shows), whatever page it is; no
file carries markup; a request for a file on a page without one is refused; a file is
dated by the page's as-of date. On the seeded briefing and demo, as an official sees them."""

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import unquote, urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve
from openpyxl import load_workbook

from projects.models import Problem
from targets.models import Indicator
from targets.seed import demo

pytestmark = pytest.mark.django_db

AS_OF = demo.DEFAULT_UNTIL  # 2021-11-19, the demo's last day
EARLIER = date(2021, 10, 20)
MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
FIGURE = re.compile(r"^[≈≥]?(-?[\d,]+(?:\.\d+)?)")


@pytest.fixture
def demo_data(db):
    call_command("seed_briefing", stdout=StringIO())
    call_command("seed_demo", "--until", AS_OF.isoformat(), stdout=StringIO())


class Tables(HTMLParser):
    """The tables of a page whose class names include ``css``: for each, its header texts
    and its rows (cell texts), leaving out group headings and "nothing here" rows."""

    def __init__(self, css: str):
        super().__init__()
        self.css = css
        self.tables: list[dict] = []
        self.depth = 0  # inside a matching table
        self.cell: list[str] | None = None
        self.row: list[str] | None = None
        self.skip_row = False
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            if self.depth:
                self.depth += 1
            elif self.css in (attrs.get("class") or "").split():
                self.depth = 1
                self.tables.append({"headers": [], "rows": []})
        if not self.depth:
            return
        if tag == "thead":
            self.in_head = True
        elif tag == "tr":
            self.row, self.skip_row = [], "group" in (attrs.get("class") or "")
        elif tag in ("td", "th"):
            self.cell = []
            if attrs.get("colspan"):
                self.skip_row = True

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "table":
            self.depth -= 1
        elif tag == "thead":
            self.in_head = False
        elif tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.in_head:
                self.tables[-1]["headers"] = self.row
            elif not self.skip_row:
                self.tables[-1]["rows"].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.depth and self.cell is not None:
            self.cell.append(data)


def page_table(client, url, css) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of every table ``css`` on the page, rows of all tables together."""
    response = client.get(url)
    assert response.status_code == 200, url
    parser = Tables(css)
    parser.feed(response.content.decode())
    assert parser.tables, f"no table.{css} on {url}"
    headers = parser.tables[0]["headers"]
    assert all(t["headers"] == headers for t in parser.tables)
    return headers, [row for t in parser.tables for row in t["rows"]]


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def export(client, url, export_format):
    separator = "&" if "?" in url else "?"
    response = client.get(f"{url}{separator}_export={export_format}")
    assert response.status_code == 200, (url, export_format, response.status_code)
    return response


def xlsx_rows(response) -> tuple[list, list[tuple]]:
    sheet = load_workbook(io.BytesIO(body_of(response))).active
    return [c.value for c in sheet[1]], list(sheet.iter_rows(min_row=2, values_only=True))


def csv_rows(response) -> tuple[list, list[list]]:
    rows = list(csv.reader(io.StringIO(body_of(response).decode("utf-8-sig"))))
    return rows[0], rows[1:]


def same_header(page: str, exported: str) -> bool:
    """The file's header is the page's, with the unit the page shows after each figure
    added in brackets ("整改率" → "整改率（%）")."""
    return exported == page or (exported.endswith("）") and exported.rsplit("（", 1)[0] == page)


def agrees(page: str, xlsx, csv_text: str, header: str) -> str | None:
    """None if the page's cell, the XLSX cell and the CSV cell say the same thing, else why
    not. Figures: the CSV has exactly the page's figure (its places, no unit); the XLSX has
    the exact figure, which rounds to it."""
    if header == "各周":  # chips "9/27" on the page, "2021-09-27 按时；…" in the file
        days = [f"{int(m)}/{int(d)}" for m, d in re.findall(r"\d{4}-(\d\d)-(\d\d)", csv_text)]
        return None if page == "".join(days) and csv_text == xlsx else f"weeks {page!r} vs {csv_text!r}"
    if page == "—" and xlsx in (None, "") and csv_text == "":
        return None
    if isinstance(xlsx, int | float) and not isinstance(xlsx, bool):
        match = FIGURE.match(page)
        if not match:
            return f"page {page!r} is not a figure, the file has {xlsx!r}"
        shown = match.group(1).replace(",", "")
        places = len(shown.partition(".")[2])
        rounded = Decimal(str(xlsx)).quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
        if csv_text != shown:
            return f"CSV {csv_text!r} vs page {page!r}"
        if abs(rounded - Decimal(shown)) > Decimal(1).scaleb(-places) / 2:
            return f"XLSX {xlsx!r} vs page {page!r}"
        return None
    if isinstance(xlsx, datetime):
        xlsx = xlsx.date().isoformat()
    text = "" if xlsx is None else str(xlsx)
    return None if page == text == csv_text else f"page {page!r}, XLSX {xlsx!r}, CSV {csv_text!r}"


# The indicator page's table of 旬 (its own django-tables2 table before), the goal tree's
# indicator rows, the safety areas, the recovery projects and the reporting timeliness:
# (url, css class of the page's table, file columns the page shows in another form (a
# heading over a group of rows, a unit after each figure), page columns the file splits).
LISTINGS = {
    "periods": (f"/targets/indicators/{{investment}}/?period=dekad&as_of={AS_OF}", "periods", set(), set()),
    "indicators": (
        f"/targets/goals/?as_of={AS_OF}",
        "indicators",
        {"编码", "目标任务", "单位", "累计计划"},
        set(),
    ),
    "safety": (f"/projects/safety/?as_of={AS_OF}", "safety", {"责任单位"}, set()),
    "recovery": (
        f"/projects/recovery/?as_of={AS_OF}",
        "recovery",
        {"领域", "单位", "完成单位", "申报债券项目（目标）（个）", "申报债券资金（目标）（亿元）"},
        {"申报债券（目标）"},
    ),
    "timeliness": ("/approvals/timeliness/?quarter=2021-10-01", "timeliness", set(), set()),
}


@pytest.mark.parametrize("listing", LISTINGS)
def test_it_shows_and_exports_the_same_columns_and_figures(client, manager, demo_data, listing):
    url, css, file_only, page_only = LISTINGS[listing]
    url = url.format(investment=Indicator.objects.get(code="kp-investment").pk)
    client.force_login(manager)
    headers, rows = page_table(client, url, css)
    xlsx_header, xlsx_body = xlsx_rows(export(client, url, "xlsx"))
    csv_header, csv_body = csv_rows(export(client, url, "csv"))
    assert xlsx_header == csv_header
    # Every column of the page is in the file, in the same order, under the same header;
    # the file's other columns are only those the page shows in another form.
    shared = [h for h in xlsx_header if h not in file_only]
    page_shared = [h for h in headers if h not in page_only]
    assert len(shared) == len(page_shared), (headers, xlsx_header)
    assert all(same_header(p, x) for p, x in zip(page_shared, shared, strict=True)), (headers, xlsx_header)
    assert len(rows) == len(xlsx_body) == len(csv_body) > 0
    # Rows by their first shared column (indicator, area, project, department).
    key = xlsx_header.index(shared[0])
    by_key = {row[key]: (row, csv_row) for row, csv_row in zip(xlsx_body, csv_body, strict=True)}
    assert len(by_key) == len(rows)
    checked = 0
    for page_row in rows:
        cells = [cell for h, cell in zip(headers, page_row, strict=True) if h not in page_only]
        xlsx_row, csv_row = by_key[cells[0]]
        for header, cell in zip(shared, cells, strict=True):
            i = xlsx_header.index(header)
            problem = agrees(cell, xlsx_row[i], csv_row[i], header)
            assert problem is None, (listing, cells[0], header, problem)
            checked += 1
    assert checked >= len(rows) * len(shared)


def test_it_rounds_csv_figures_to_the_places_the_page_shows(client, manager, demo_data):
    client.force_login(manager)
    url = f"/targets/goals/?as_of={AS_OF}"
    header, body = csv_rows(export(client, url, "csv"))
    column = header.index("完成/计划（%）")
    percents = [row[column] for row in body if row[column]]
    assert percents and all(re.fullmatch(r"\d+\.\d", p) for p in percents), percents[:5]
    for row in body:  # no quotient with 28 digits anywhere
        assert not any(re.fullmatch(r"-?\d+\.\d{5,}", cell) for cell in row), row
    # The workbook keeps the exact figure, shown with the page's one place.
    sheet = load_workbook(io.BytesIO(body_of(export(client, url, "xlsx")))).active
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[column]
    cells = [c for c in sheet[letter][1:] if c.value is not None]
    assert cells and all(c.data_type == "n" and c.number_format == "#,##0.0" for c in cells)
    assert any(Decimal(str(c.value)) != Decimal(str(c.value)).quantize(Decimal("0.1")) for c in cells)


def site_pages(client, start: str, per_view: int = 2) -> dict[str, tuple[str, str]]:
    """Walk the product's pages from ``start`` by their links (each view at most
    ``per_view`` times): {url: (view name, html)}. Admin, API, log-out, language and file
    links aside."""
    seen: dict[str, tuple[str, str]] = {}
    counts: dict[str, int] = {}
    queue = [start]
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        path = urlsplit(url).path
        try:
            name = resolve(path).url_name
        except Resolver404:
            continue
        if counts.get(name, 0) >= per_view:
            continue
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        counts[name] = counts.get(name, 0) + 1
        html = response.content.decode()
        seen[url] = (name, html)
        for href in re.findall(r'href="([^"#]+)', html):
            href = href.replace("&amp;", "&")
            if (
                href.startswith("/")
                and "_export" not in href
                and not href.startswith(("/admin", "/api", "/accounts/logout", "/i18n", "/static"))
                and not urlsplit(href).path.endswith((".pdf", ".xlsx"))
            ):
                queue.append(href)
    return seen


def test_every_export_is_plain_text_and_every_other_page_refuses_one(client, manager, demo_data):
    # An open problem: its status was exported as '<span class="status status-red">未解决</span>'.
    assert Problem.objects.exclude(status=Problem.Status.CLOSED).exists()
    client.force_login(manager)
    pages = site_pages(client, f"/?as_of={AS_OF}")
    exporting = set()
    for url, (name, html) in pages.items():
        separator = "&" if "?" in url else "?"
        if "export-xlsx" not in html:
            refused = client.get(f"{url}{separator}_export=xlsx")
            assert refused.status_code == 400, (url, refused.status_code)
            assert "text/html" not in refused["Content-Type"] and "Content-Disposition" not in refused
            continue
        exporting.add(name)
        header, body = xlsx_rows(export(client, url, "xlsx"))
        for row in [header, *body]:
            assert not any(isinstance(c, str) and MARKUP.search(c) for c in row), (url, row)
        header, body = csv_rows(export(client, url, "csv"))
        for row in [header, *body]:
            assert not any(MARKUP.search(c) for c in row), (url, row)
    # The walk reached every page that offers a file.
    assert exporting >= {
        "goal_tree",
        "indicator_detail",
        "department_detail",
        "key_list",
        "key_detail",
        "safety",
        "recovery",
        "timeliness",
    }, exporting


def test_the_overview_never_answers_a_file_request_with_its_html(client, manager, official, demo_data):
    for user in (manager, official):
        client.force_login(user)
        for export_format in ("xlsx", "csv", "pdf"):
            response = client.get("/", {"_export": export_format})
            assert response.status_code == 400
            assert not response.content.lstrip().startswith(b"<")
            assert "Content-Disposition" not in response


def test_it_dates_every_file_by_the_pages_as_of_date(client, manager, demo_data):
    as_of = EARLIER  # neither the server's date nor the demo's last day
    project = Problem.objects.filter(key_project__isnull=False).first().key_project
    client.force_login(manager)
    for url in (
        "/targets/goals/",
        "/targets/departments/econ/",
        f"/targets/indicators/{Indicator.objects.order_by('pk').first().pk}/",
        "/projects/key/",
        f"/projects/key/{project.pk}/",
        "/projects/safety/",
        "/projects/recovery/",
    ):
        response = client.get(url, {"as_of": as_of.isoformat(), "_export": "csv"})
        name = unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])
        assert name.endswith(f"_{as_of.isoformat()}.csv"), (url, name)
    # The timeliness of a past quarter is as of its last day.
    response = client.get("/approvals/timeliness/", {"quarter": "2021-10-01", "_export": "csv"})
    assert unquote(response["Content-Disposition"]).endswith("_2021-12-31.csv")

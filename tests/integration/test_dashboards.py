"""The offline dashboards, exported from a province landed through the real broker and worker,
opened from file:// in real headless Chromium with the network cut, and scanned for personal data.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from antt.settings import Settings
from pipelines.dashboards.export import BRIEFING_PDF, ExportResult, export_dashboards
from pipelines.dashboards.html import PAGES
from pipelines.simulator import SimulationConfig
from pipelines.simulator.incidents import _SUMMARIES as incident_summaries
from pipelines.simulator.world import build_world
from warehouse.api import local_today

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

# Tables whose cells count persons, and the headers of those columns.
PERSON_COLUMNS = {
    "coverage-wards": ("Dân số",),
    "operations-wards": ("Lượt lưu trú từ đầu năm",),
    "petition-wards": ("Tiếp nhận", "Đã giải quyết", "Đang giải quyết"),
}
PATTERNS = {
    "12-digit ID number": re.compile(r"(?<![\d.,])\d{12}(?![\d.,])"),
    "9-digit CMND number": re.compile(r"(?<![\d.,])\d{9}(?![\d.,])"),
    "phone number": re.compile(r"(?<![\d.,])(?:\+84|0)\d{9}(?![\d.,])"),
    "plate": re.compile(r"(?<![0-9A-Za-z])\d{2}[A-Z][A-Z0-9]?[- ]?\d{3}\.?\d{2}(?!\d)"),
    "pseudonym": re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])"),
}


@pytest.fixture(scope="module")
def export(simulated_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory) -> ExportResult:
    out = tmp_path_factory.mktemp("dashboards")
    result = export_dashboards(simulated_warehouse, out, as_of=local_today(), pdf=True)
    print(f"\nexport with PDF took {result.seconds:.1f} s")
    return result


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        # The network is off: anything not from file:// goes to a proxy that does not exist.
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--window-size=1600,1200",
        "--hide-scrollbars",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
    )
    yield driver
    driver.quit()


_TRACE_POINTS = """
return Array.from(document.querySelectorAll('.js-plotly-plot')).map(function (div) {
  return {id: div.id, points: (div.data || []).map(function (t) {
    var ys = t.y || t.values || [];
    return Array.from(ys).filter(function (v) { return v !== null && v !== undefined; }).length;
  })};
});
"""


def _open(driver: webdriver.Chrome, page: Path) -> None:
    driver.get_log("browser")  # start each page with empty logs
    driver.get_log("performance")
    driver.get(page.as_uri())
    WebDriverWait(driver, 60).until(
        lambda d: d.execute_script(
            "return document.readyState === 'complete' && Array.from("
            "document.querySelectorAll('.js-plotly-plot')).every(d => d._fullLayout)"
        )
    )


def _failed_requests(driver: webdriver.Chrome) -> list[str]:
    failed = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.loadingFailed":
            failed.append(f"{params.get('requestId')}: {params.get('errorText')}")
        if message["method"] == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith(("file://", "data:")):
                failed.append(f"request outside the folder: {url}")
    return failed


@pytest.mark.parametrize("page", PAGES, ids=[p.file for p in PAGES])
def test_page_opens_offline_without_errors_and_every_chart_has_data(
    export: ExportResult, browser: webdriver.Chrome, page: Any, tmp_path: Path
) -> None:
    started = time.monotonic()
    _open(browser, export.folder / page.file)

    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    assert _failed_requests(browser) == []
    charts = browser.execute_script(_TRACE_POINTS)
    assert charts, f"{page.file} has no chart"
    for chart in charts:
        assert chart["points"], f"{chart['id']} has no trace"
        assert all(n > 0 for n in chart["points"]), f"{chart['id']} has a trace without data"
    nav = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "nav a")]
    assert [Path(h).name for h in nav] == [p.file for p in PAGES]

    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1600, min(height, 6000))
    shot = tmp_path / f"{page.file}.png"
    assert browser.save_screenshot(str(shot))
    browser.set_window_size(1600, 1200)
    print(f"\n{page.file}: opened, checked and captured in {time.monotonic() - started:.1f} s")


def test_ward_filter_narrows_a_table_by_name_without_accents(
    export: ExportResult, browser: webdriver.Chrome
) -> None:
    _open(browser, export.folder / "crime.html")
    rows = browser.find_elements(By.CSS_SELECTOR, "#crime-wards tbody tr")
    names = [r.find_element(By.TAG_NAME, "td").text for r in rows]
    target = next(n for n in names if n.startswith("Phường"))
    typed = target.replace("Phường", "phuong")  # as typed on a keyboard without Telex
    box = browser.find_element(By.CSS_SELECTOR, "input[data-table='crime-wards']")
    box.send_keys(typed)
    shown = [r.find_element(By.TAG_NAME, "td").text for r in rows if r.is_displayed()]
    assert target in shown
    assert len(shown) < len(names)


def test_category_dropdown_switches_the_weekly_chart(
    export: ExportResult, browser: webdriver.Chrome
) -> None:
    _open(browser, export.folder / "crime.html")
    visible = browser.execute_script(
        "var d = document.getElementById('weekly-categories');"
        "var menu = d.layout.updatemenus[0];"
        "return [menu.buttons.length, d.data.filter(t => t.visible === true).length];"
    )
    assert visible == [9, 2]  # nine incident categories; this year and last year shown


class _Tables(HTMLParser):
    """Cell texts of every table, by table id: {id: (headers, rows)}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, tuple[list[str], list[list[str]]]] = {}
        self._id: str | None = None
        self._cell: list[str] | None = None
        self._row: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._id = dict(attrs).get("id") or ""
            self.tables[self._id] = ([], [])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "tr":
            self._row = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._id is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._id is not None:
            headers, rows = self.tables[self._id]
            if not headers:
                headers.extend(self._row)
            else:
                rows.append(self._row)


def _texts(export: ExportResult) -> dict[str, str]:
    texts = {p.name: p.read_text(encoding="utf-8") for p in export.pages}
    assert export.pdf is not None
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", str(export.pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    texts[BRIEFING_PDF] = pdf_text
    return texts


def test_the_pdf_briefing_is_one_or_two_pages_of_the_overview(export: ExportResult) -> None:
    assert export.pdf is not None and export.pdf.name == BRIEFING_PDF
    info = subprocess.run(
        ["pdfinfo", str(export.pdf)], capture_output=True, text=True, check=True
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    assert 1 <= pages <= 2
    text = _texts(export)[BRIEFING_PDF]
    assert "Tội phạm về trật tự xã hội" in text
    assert "Tổng quan" in text
    assert not list(export.folder.glob(".*.html")), "the print copy of the overview is left"


def test_no_personal_data_in_the_html_or_the_pdf(
    export: ExportResult, simulated_warehouse: Settings
) -> None:
    world = build_world(
        SimulationConfig(
            seed=2024,
            days=900,
            residents_per_ward=20,
            end_at=datetime.now(UTC).replace(minute=0, second=0, microsecond=0),
        )
    )
    people = [r.person for r in world.residents] + [
        *world.guests.visitors,
        *world.guests.foreigners,
    ]
    names = {p.full_name for p in people}
    numbers = {p.id_number for p in people} | {p.phone for p in people if p.phone}
    plates = {v.plate for v in world.vehicles}
    # The fixed words of every incident summary the simulator writes (free text never lands).
    summaries = {
        max(re.split(r"\{\w+\}", template), key=len).strip()
        for templates in incident_summaries.values()
        for template in templates
    }
    assert len(names) > 100 and len(numbers) > 100 and plates and len(summaries) > 10
    for file, text in _texts(export).items():
        for what, pattern in PATTERNS.items():
            assert not pattern.findall(text), f"{what} in {file}"
        assert not [n for n in names if n in text], f"a resident's name in {file}"
        assert not [n for n in numbers if n in text], f"an ID or phone number in {file}"
        assert not [p for p in plates if p in text], f"a plate in {file}"
        assert not [t for t in summaries if t in text], f"an incident summary in {file}"


def test_person_counts_from_1_to_4_show_as_suppressed(export: ExportResult) -> None:
    checked = 0
    for page in export.pages:
        parser = _Tables()
        parser.feed(page.read_text(encoding="utf-8"))
        for table_id, columns in PERSON_COLUMNS.items():
            if table_id not in parser.tables:
                continue
            headers, rows = parser.tables[table_id]
            for column in columns:
                index = headers.index(column)
                cells = [row[index] for row in rows]
                assert not {"1", "2", "3", "4"} & set(cells), f"{table_id}.{column}"
                checked += len(cells)
    assert checked > 0

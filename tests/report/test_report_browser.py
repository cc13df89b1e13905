"""The report as a person sees it: headless Chromium loads the file offline, runs its script, and we
check the dumped DOM (every chart laid out with drawn marks, no script or console error) and the
screenshot."""

import json
import re
import struct
import subprocess
from html.parser import HTMLParser

import pytest

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--disable-extensions", "--disable-default-apps", "--mute-audio"]


def run_chromium(chromium: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    return subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                          timeout=180)


class ChartCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.body: dict[str, str] = {}
        self.charts: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "body":
            self.body = attrs
        elif tag == "svg" and "chart" in attrs.get("class", "").split():
            self.charts.append(attrs)


@pytest.fixture(scope="module")
def dumped_dom(chromium, rendered_report, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("chromium_dom")
    result = run_chromium(chromium, tmp, "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
                          "--dump-dom", rendered_report.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_page_script_ran_without_errors(dumped_dom):
    parser = ChartCollector()
    parser.feed(dumped_dom.stdout)
    assert parser.body.get("data-ready") == "1", "the page's script did not finish"
    assert json.loads(parser.body.get("data-errors", "null")) == [], parser.body.get("data-errors")
    console_errors = [line for line in dumped_dom.stderr.splitlines()
                      if "CONSOLE" in line and re.search(r"uncaught|error", line, flags=re.IGNORECASE)]
    assert not console_errors, console_errors


def test_every_chart_was_drawn_by_the_browser(dumped_dom):
    parser = ChartCollector()
    parser.feed(dumped_dom.stdout)
    assert len(parser.charts) >= 13
    assert parser.body.get("data-charts") == str(len(parser.charts))
    not_drawn = [c.get("data-chart") for c in parser.charts if int(c.get("data-drawn", "0")) <= 0]
    assert not not_drawn, f"charts without laid-out marks: {not_drawn}"
    assert parser.body.get("data-charts-drawn") == str(len(parser.charts))


def test_screenshot(chromium, rendered_report, tmp_path):
    png = tmp_path / "report.png"
    result = run_chromium(chromium, tmp_path, f"--screenshot={png}", "--window-size=1400,4000",
                          rendered_report.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1400, 4000)
    # a blank page compresses to a few kB; the charts and text make it far larger
    assert len(data) > 100_000

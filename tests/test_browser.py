"""One real-browser run: the app served by Streamlit, driven in headless Chromium by Playwright."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import PROJECT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (see .ci/run)")
# The flags the machine needs: no sandbox as root, and no background calls to Google's hosts.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served_app(tmp_path):
    """`policy-classify app` on a copy of the project, on a free localhost port."""
    root = tmp_path / "project"
    for folder in ("corpus", "labeled"):
        shutil.copytree(PROJECT.root / folder, root / folder)
    shutil.copytree(PROJECT.model, root / "models" / "default")
    shutil.copy(PROJECT.taxonomy, root / "taxonomy.yaml")
    port = free_port()
    env = {**os.environ, "POLICY_CLASSIFY_ROOT": str(root), "OMP_NUM_THREADS": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "classify", "app", "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://localhost:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("the app did not start: " + server.stdout.read().decode(errors="replace")[-2000:])
    yield url, root
    server.terminate()
    server.wait(timeout=30)


def wait_for_app(page, text: str, timeout: float = 120_000) -> None:
    page.get_by_text(text, exact=False).first.wait_for(timeout=timeout)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout)


def stored(store: Path) -> list[dict]:
    return [json.loads(line) for line in store.read_text(encoding="utf-8").splitlines()] if store.exists() else []


def click_cell(page, jurisdiction: str, measure: str) -> None:
    """Click the heatmap cell of a jurisdiction and measure, found by hovering until its tooltip names both."""
    chart = page.locator("[data-testid='stVegaLiteChart'], .vega-embed").first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    tooltip = page.locator("#vg-tooltip-element")
    for y in range(int(box["y"]) + 5, int(box["y"] + box["height"]), 12):
        for x in range(int(box["x"]) + 5, int(box["x"] + box["width"]), 20):
            page.mouse.move(x, y)
            if tooltip.count() and tooltip.is_visible():
                text = tooltip.inner_text()
                if jurisdiction in text and measure in text:
                    page.mouse.click(x, y)
                    return
    pytest.fail(f"no heatmap cell for {jurisdiction} × {measure}")


def test_matrix_cells_click_through_to_evidence_and_annotating_moves_on(served_app, tmp_path):
    """Load the matrix, click a heatmap cell and read its evidence; label two sentences in a row and find two
    different decisions in labeled/; a screenshot of each page is kept for a developer to look at."""
    url, root = served_app
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.goto(url)
        wait_for_app(page, "Policy measures of Chinese cities")
        page.screenshot(path=shots / "0_home.png", full_page=True)

        page.goto(f"{url}/Matrix")
        wait_for_app(page, "Which measures does each jurisdiction take?")
        wait_for_app(page, "the terms that drove each prediction are marked")  # the evidence, the last part drawn
        page.screenshot(path=shots / "1_matrix.png", full_page=True)
        assert "sentences of 上海市 coded" in page.inner_text("body")
        click_cell(page, "重庆市", "人才引育")
        wait_for_app(page, "sentences of 重庆市 coded 人才引育")

        page.goto(f"{url}/Documents")
        wait_for_app(page, "Add a document")
        page.screenshot(path=shots / "2_documents.png", full_page=True)

        page.goto(f"{url}/Annotate")
        wait_for_app(page, "Enter your name")
        page.get_by_label("Your name (required)").fill("browser")
        page.get_by_label("Your name (required)").press("Enter")
        wait_for_app(page, "left in this queue")
        page.screenshot(path=shots / "3_annotate.png", full_page=True)
        store = root / "labeled" / "browser.jsonl"
        for expected in (1, 2):  # the second Submit must decide another sentence, not the same one again
            before = page.get_by_text("left in this queue").first.inner_text()
            page.get_by_role("button", name="Submit").click()
            deadline = time.time() + 60
            while time.time() < deadline and len(stored(store)) < expected:
                time.sleep(0.5)
            page.wait_for_function(  # the page has moved on to the next sentence
                "(before) => [...document.querySelectorAll('*')].some(e => e.childElementCount === 0 && "
                "e.textContent.includes('left in this queue') && e.textContent !== before)", arg=before,
                timeout=60_000)
            wait_for_app(page, "left in this queue")
        records = stored(store)
        assert len(records) == 2 and {r["annotator"] for r in records} == {"browser"}
        assert records[0]["unit_id"] != records[1]["unit_id"]

        page.goto(f"{url}/Model")
        wait_for_app(page, "Terms that weigh most")
        page.screenshot(path=shots / "4_model.png", full_page=True)
        browser.close()
    keep = os.environ.get("POLICY_CLASSIFY_SCREENSHOTS")
    if keep:  # let a developer look at the pages after the run
        shutil.copytree(shots, Path(keep), dirs_exist_ok=True)


def test_documents_page_takes_pdf_docx_and_html_in_a_real_browser(served_app, tmp_path):
    """Upload a PDF, a DOCX and a web page through Chromium's file chooser: each is read by its reader and
    tagged; a .doc is refused with what to do; the Matrix page's Excel download opens with pandas, numbers
    as numbers."""
    import pandas as pd

    from made_files import make_docx, make_html, make_pdf

    url, root = served_app
    lines = ["关于加快建设国家实验室的通知", "加快建设国家实验室,推动重大科技基础设施开放共享。", "设立天使投资母子基金。"]
    files = [make_pdf(lines, tmp_path / "a.pdf"), make_docx(lines, tmp_path / "b.docx"),
             make_html(lines, tmp_path / "c.html")]
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
        page.goto(f"{url}/Documents")
        wait_for_app(page, "Add a document")
        page.locator("input[type=file]").set_input_files([*map(str, files), str(tmp_path / "old.doc")])
        for reader in ("pdfplumber", "python-docx", "trafilatura"):
            wait_for_app(page, f"Read by {reader}")
        body = page.inner_text("body")
        assert "convert to .docx or .pdf" in body and body.count("3 units") == 3, body[-2000:]
        page.screenshot(path=tmp_path / "documents.png", full_page=True)

        page.goto(f"{url}/Matrix")
        wait_for_app(page, "the terms that drove each prediction are marked")
        with page.expect_download() as download:
            page.get_by_role("button", name="Download matrix (Excel)").click()
        download.value.save_as(tmp_path / "matrix.xlsx")
        browser.close()
    sheet = pd.read_excel(tmp_path / "matrix.xlsx")
    # With the card's calibration the download is the cells with their intervals, measures by Chinese name.
    assert "重庆市" in sheet["jurisdiction"].tolist() and "人才引育 (talent)" in sheet["measure"].tolist()
    assert all(sheet[column].dtype.kind in "if" for column in ("count", "estimate", "low", "high"))

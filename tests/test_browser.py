"""End to end in a real browser: Debian's Chromium driven by Playwright, against `cuishou serve`.

Needs /usr/bin/chromium and the playwright package (.ci/run installs both; no browser download).
Skipped locally when they are missing, but fails when CUISHOU_REQUIRE_BROWSER=1 (set by .ci/run).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _require():
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append("chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright")
    if missing:
        if os.environ.get("CUISHOU_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser test required but missing: {', '.join(missing)}")
        pytest.skip(f"missing {', '.join(missing)}")


@pytest.fixture(scope="module")
def server():
    _require()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "classifier", "serve", "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "/", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode(errors="replace")) from None
            time.sleep(0.25)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    _require()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield b
        b.close()


def test_paste_a_threat_and_see_label_highlight_and_provision(server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1100, "height": 1500})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server + "/")
    page.fill("#text", "再不还钱，明天公安就上门把你带走，还要把你欠钱的事发给你通讯录里所有人")
    page.click("#go")
    page.wait_for_selector("#primary-label")
    assert page.get_attribute("#primary-label", "data-label") == "threat"
    marks = page.locator("#highlighted mark")
    assert marks.count() >= 1
    highlighted = " ".join(marks.all_inner_texts())
    assert any(w in highlighted for w in ("公安", "上门", "通讯录")), highlighted
    citations = page.locator("#provisions summary").all_inner_texts()
    assert any("治安管理处罚法第五十条" in c for c in citations), citations
    assert page.locator("#provisions > details.provision").count() <= 3  # the first three; the rest folded
    assert page.locator("#provisions details.more-provisions").count() == 1
    page.locator("#provisions details").first.click()
    assert "为什么" in page.locator("#provisions details").first.inner_text()
    disclaimer = "本结果由自动模型生成，仅供参考，不构成法律意见"
    assert page.locator("body").inner_text().count(disclaimer) == 1  # once under the result, not twice
    page.screenshot(path=str(ARTIFACTS / "web-threat.png"), full_page=True)
    # switch to English: labels change, the result stays
    page.click("#lang")
    assert "Threat" in page.inner_text("#primary-label") or "threat" in page.inner_text("#primary-label")
    assert all(u.startswith(server) for u in requests), [u for u in requests if not u.startswith(server)]
    page.close()


def test_paste_with_a_context(server, browser):
    page = browser.new_page(viewport={"width": 1100, "height": 1500})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server + "/")
    page.fill("#text", "您好，您在我平台的借款已逾期，如有困难可申请分期，请登录APP处理。")  # the guide's lawful reminder
    page.click("#go")
    page.wait_for_selector("#primary-label")
    assert page.get_attribute("#primary-label", "data-label") == "lawful_reminder"
    assert page.locator("#decided-by").is_hidden()
    page.select_option("#context", "group")
    page.click("#go")
    page.wait_for_selector("#primary-label[data-label=third_party_contact]")
    assert "场景" in page.inner_text("#decided-by")
    page.click("#lang")
    assert "context" in page.inner_text("#decided-by") and page.inner_text("#context option[value=post]").startswith("Public")
    assert not errors, errors  # no CSP violation or script error
    page.close()


def test_phone_screen(server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page.goto(server + "/")
    page.fill("#text", "【某银行】您尾号1234的信用卡已逾期3天，请尽快还款。")
    page.click("#go")
    page.wait_for_selector("#primary-label")
    assert page.get_attribute("#primary-label", "data-label") == "lawful_reminder"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # no sideways scrolling on a phone
    page.screenshot(path=str(ARTIFACTS / "web-phone.png"), full_page=True)
    page.close()


def test_review_page_saves_corrections_to_a_local_csv(server, browser, tmp_path):
    page = browser.new_page(accept_downloads=True)
    page.goto(server + "/review")
    page.set_input_files("#review-file", str(ROOT / "tests/data/sms_export.csv"))
    page.fill("#review-n", "5")
    page.click("#review-form button")
    page.wait_for_selector(".review-item")
    first = page.locator(".review-item").first
    first.locator("input[data-tag=threat]").check()
    with page.expect_download() as dl:
        page.click("#save")
    path = tmp_path / "labelled.csv"
    dl.value.save_as(path)
    text = path.read_text(encoding="utf-8-sig")
    assert text.startswith("review_row,text,predicted_tags,review_reason,gold_tags") and "threat" in text
    from classifier.modeling.user_labels import read_labelled

    assert len(read_labelled(path)) >= 1  # what the page saves is what `train --extra` reads
    page.close()


def test_upload_a_screenshot(server, browser, tmp_path):
    import phone_screens

    shot = tmp_path / "screenshot.png"
    phone_screens.save(shot, style="sms", theme="light", width=720)
    page = browser.new_page()
    page.goto(server + "/")
    page.click("button[data-tab=upload]")
    page.set_input_files("#file", str(shot))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#upload-result:not([hidden])", timeout=120_000)
    cells = dict(zip(page.locator("#summary th").all_inner_texts(), page.locator("#summary td").all_inner_texts(), strict=True))
    assert cells["行数"] == "5" and cells["您发出的（不评分）"] == "2", cells
    assert page.get_attribute("#download", "download") == "screenshot.scored.csv"
    page.close()


def test_report_of_a_screenshot(browser, tmp_path, shipped):
    """The README's pair: a screenshot going in, the report coming out (tests/artifacts/)."""
    import phone_screens

    from classifier.interfaces.report import build_report

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "screenshot-in.png"
    phone_screens.save(shot, style="chat", theme="light", width=720)
    out = tmp_path / "report.html"
    build_report(str(shot), str(out), classifier=shipped)
    page = browser.new_page(viewport={"width": 900, "height": 1200})
    page.goto(out.as_uri())
    first = page.locator("div.msg").first
    assert first.locator("img.crop").count() == 1
    assert page.evaluate("document.querySelector('img.crop').naturalWidth") > 100
    top, bottom = page.evaluate("""() => {
        const y = (e) => e.getBoundingClientRect().top + window.scrollY;
        const msgs = document.querySelectorAll('div.msg');
        const last = msgs[msgs.length - 1];
        return [y(document.querySelector('#messages')), y(last) + last.getBoundingClientRect().height];
    }""")
    page.screenshot(path=str(ARTIFACTS / "report-screenshot-out.png"), full_page=True,
                    clip={"x": 0, "y": top - 10, "width": 900, "height": bottom - top + 20})
    page.close()

"""The chat UI in a real browser: Debian's Chromium driven by Playwright (its own browser download does not work
offline), against the app served with the real engine on a loopback port. Saves screenshots as artifacts."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import ui

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 60_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                     "(run `make browser`)"),
]


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    ui.warm_up()
    demo = ui.build_app()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ui.launch(demo, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


@pytest.fixture
def page(url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(url)
            yield page
        finally:
            browser.close()


def ask(page, question: str) -> None:
    answers = page.locator("#la-chat .la-answer").count()
    page.locator("#la-question textarea").fill(question)
    page.locator("#la-send").click()
    page.locator("#la-chat .la-answer").nth(answers).wait_for(state="visible")


def test_chat_shows_verdict_and_cited_clause_then_the_license_tab(page):
    from playwright.sync_api import expect

    ask(page, "公司可以做即时通讯吗？")
    badge = page.locator("#la-chat .la-badge").first
    expect(badge).to_be_visible()
    expect(badge).to_have_text("❌ 不可以")
    cited = page.locator("#la-chat details.la-cite[open] .la-cols").first
    expect(cited).to_be_visible()
    expect(cited).to_contain_text("信息即时交互服务")
    expect(cited.locator("mark").first).to_be_visible()
    expect(cited).to_contain_text("instant")  # the English translation beside the Chinese original

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "ui-chat.png", full_page=True)

    page.locator("#la-chat details.la-cite[open] a.la-goto").first.click()  # the citation opens its clause
    scope = page.locator("#clause-main_scope")
    expect(scope).to_be_visible()
    expect(scope).to_contain_text("信息即时交互服务")
    expect(scope).to_contain_text("Scope of licensed services")

    page.locator("#la-search input, #la-search textarea").first.fill("域名")
    expect(page.locator("#la-license")).to_contain_text("条匹配")
    expect(page.locator("#clause-annex_domains")).to_be_visible()
    expect(page.locator("#clause-main_scope")).to_be_hidden()
    page.screenshot(path=ARTIFACTS / "ui-license.png")


def test_english_question_and_hostile_input_in_the_browser(page):
    from playwright.sync_api import expect

    ask(page, "Can the company offer instant messaging?")
    expect(page.locator("#la-chat .la-badge").first).to_have_text("❌ No")

    hostile = '<img src=x onerror="window.__pwned=1"> **bold** <script>window.__pwned=2</script>'
    ask(page, hostile)
    expect(page.locator("#la-chat .la-q").last).to_have_text(hostile)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#la-chat img[src=x], #la-chat strong").count() == 0

    ask(page, "")
    expect(page.locator("#la-chat .la-error").last).to_contain_text("Please type a question")

"""The web console in a real browser (headless Chromium), against the real bot and the
Telegram sandbox: an officer gets a link with /web, logs in, sees the queue, opens the report
a resident just filed and presses "Tiếp nhận"; the resident is told in the sandbox and the
staff group's card shows the new state. Screenshots of the queue and the report's page are
saved (tests/browser.py says where)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimGroup, SimUser
from tests.browser import chromium, screenshots
from tests.helpers import free_port, onboard
from tests.test_report import file_report

PORT = free_port()
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/login/[A-Za-z0-9_-]+)")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def config_extra() -> str:
    return f"[web]\nport = {PORT}\n"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async for started in chromium():
        yield started


async def logged_in(officer: SimUser, browser: Browser) -> tuple[Page, list[str]]:
    """The officer asks the bot for a link and logs in with it in a desk-sized page; the
    page's console errors (a script error, a CSP violation) are collected."""
    await officer.command("web")
    link = LINK.search((await officer.wait_for("Đường dẫn đăng nhập")).text)
    assert link is not None
    page = await browser.new_page(viewport={"width": 1280, "height": 860}, locale="vi-VN")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(link[1])
    await page.get_by_role("button", name="Đăng nhập").click()
    return page, errors


async def test_an_officer_accepts_a_report_in_the_browser(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup, officer: SimUser,
    browser: Browser, tmp_path: Path,
) -> None:
    folder = screenshots(tmp_path)
    lan = sandbox.user(3301, first_name="Lan", last_name="Phạm")
    await onboard(lan)
    code = await file_report(lan, "Hai thanh niên lạ mặt rình rập nhà bỏ trống ở cuối xóm")
    await staff_group.wait_for(code)
    page, errors = await logged_in(officer, browser)
    await expect(page.get_by_role("heading", name="Tin báo")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=code)
    await expect(row).to_contain_text("Chờ tiếp nhận")
    await page.screenshot(path=folder / "queue.png", full_page=True)

    await page.get_by_role("link", name=code).click()
    await expect(page.get_by_text("rình rập nhà bỏ trống")).to_be_visible()
    await expect(page.get_by_text("Ẩn danh")).to_be_visible()
    await page.screenshot(path=folder / "report.png", full_page=True)
    await page.get_by_role("button", name="Tiếp nhận", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("Đã tiếp nhận tin")
    await expect(page.get_by_role("button", name="Tiếp nhận", exact=True)).to_have_count(0)
    await page.screenshot(path=folder / "report-accepted.png", full_page=True)

    told = await lan.wait_for("đã được công an xã tiếp nhận")
    assert code in told.text
    card = await staff_group.wait_for("Đã tiếp nhận")
    assert code in card.text and "Cán bộ Hùng" in card.text

    await page.set_viewport_size(PHONE)
    await page.goto(f"http://127.0.0.1:{PORT}/?state=all")
    await expect(page.get_by_role("link", name=code)).to_be_visible()
    await page.screenshot(path=folder / "queue-phone.png", full_page=True)
    assert errors == []  # no script error, no CSP violation


async def test_the_queue_updates_live_when_a_resident_files_a_report(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, browser: Browser,
) -> None:
    await officer.command("web")
    link = LINK.search((await officer.wait_for("Đường dẫn đăng nhập")).text)
    assert link is not None
    page = await browser.new_page(viewport=PHONE, locale="vi-VN")
    await page.goto(link[1])
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_text("Không có tin báo nào")).to_be_visible()
    await expect(page.locator("body[data-live=on]")).to_have_count(1)  # the stream is open
    lan = sandbox.user(3302, first_name="Lan")
    await onboard(lan)
    code = await file_report(lan, "Cháy nhỏ ở bãi rác đầu ấp, đã dập được một phần")
    await expect(page.get_by_role("link", name=code)).to_be_visible()  # no reload
    assert page.url.endswith("/")


async def test_an_announcement_composed_in_the_browser_reaches_the_residents(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, browser: Browser, tmp_path: Path,
) -> None:
    folder = screenshots(tmp_path)
    lan = sandbox.user(3302, first_name="Lan")
    await onboard(lan)
    page, errors = await logged_in(officer, browser)
    await page.get_by_role("link", name="Loa").click()
    await expect(page.get_by_role("heading", name="Loa phát thanh")).to_be_visible()
    await page.get_by_label("Nội dung thông báo").fill("Họp dân lúc 19:00 tại nhà văn hóa ấp")
    await page.get_by_label("Ấp Hưng Nhơn").check()
    reach = page.locator("#reach")  # asked again as the choice changed
    await expect(reach).to_have_attribute("data-total", "1")
    await expect(reach).to_contain_text("Sẽ tới 1 người")
    await expect(reach).to_contain_text("Telegram: 1")
    await page.screenshot(path=folder / "loudspeaker.png", full_page=True)
    await page.get_by_role("button", name="Gửi thông báo").click()
    await expect(page.get_by_text("Đã gửi thông báo")).to_be_visible()
    got = await lan.wait_for("Họp dân lúc 19:00")
    assert got.text.startswith("📢 Công an xã Hưng Lộc")
    row = page.locator("#broadcasts tr[data-broadcast]").first  # live, or as rendered
    await expect(row).to_contain_text("đã gửi xong")
    await expect(row.locator(".reach")).to_have_text("Telegram: 1/1")
    await page.screenshot(path=folder / "loudspeaker-sent.png", full_page=True)
    await page.get_by_role("link", name="Tổ", exact=True).click()
    await expect(page.get_by_role("heading", name="Các tổ")).to_be_visible()
    await page.screenshot(path=folder / "teams.png", full_page=True)
    assert errors == []

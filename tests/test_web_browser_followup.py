# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""What follows "Đã xử lý", in a real browser (headless Chromium) against the real bot and
the Telegram sandbox: an officer resolves a report, tells the reporter its outcome and
commends them from the report's page; the resident gets each in the sandbox, and neither is
offered twice. The officer opens the report by typing its code in the queue's search box."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimGroup, SimUser
from tests.browser import screenshots
from tests.test_web_browser import browser, config_extra  # noqa: F401 (fixtures)
from tests.test_web_browser_more import filed, logged_in


async def test_an_officer_tells_the_outcome_and_commends_the_reporter_in_the_browser(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup, officer: SimUser,
    browser: Browser, tmp_path: Path,
) -> None:
    lan = sandbox.user(3411, first_name="Lan", last_name="Phạm")
    code = await filed(lan, staff_group, "Hai nhóm thanh niên cãi nhau trước quán nước")
    errors: list[str] = []
    page = await logged_in(officer, browser, errors)
    await page.get_by_label("Mở tin theo mã").fill(code.lower().replace("-", " "))
    await page.get_by_role("button", name="Mở", exact=True).click()
    await expect(page.get_by_role("heading", name=code)).to_be_visible()
    await page.get_by_role("button", name="Đã xử lý").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã đánh dấu đã xử lý")
    await lan.wait_for("đã được xử lý")

    folder = screenshots(tmp_path)
    await page.screenshot(path=folder / "report-resolved.png", full_page=True)
    followup = page.locator("#followup")
    await followup.get_by_label("Đã hòa giải").check()
    await followup.get_by_role("button", name="Báo kết quả cho người báo tin").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã báo kết quả")
    told = await lan.wait_for("Kết quả xử lý tin")
    assert code in told.text and "Đã hòa giải" in told.text
    await expect(page.get_by_text("Kết quả thế nào?")).to_have_count(0)  # once a report

    await page.get_by_role("button", name="🏅 Khen người báo tin").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã gửi lời khen")
    thanked = await lan.wait_for("cảm ơn bạn đã báo tin")
    assert code in thanked.text
    await expect(page.locator("#followup")).to_have_count(0)  # nothing more follows
    await expect(page.locator(".timeline")).to_contain_text("Khen người báo tin")
    await page.screenshot(path=folder / "report-followup.png", full_page=True)
    assert errors == []

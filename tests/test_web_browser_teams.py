# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""Join requests decided in a real browser (headless Chromium) against the real bot and the
Telegram sandbox: an officer approves one resident's request and refuses another's from the
team's page; each resident is told in the sandbox, and the officer's chat buttons for the
same requests find them decided already."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimGroup, SimUser
from tests.browser import screenshots
from tests.helpers import onboard
from tests.test_web_browser import browser, config_extra  # noqa: F401 (fixtures)
from tests.test_web_browser_more import logged_in


async def asks_to_join(person: SimUser, name: str, staff_group: SimGroup) -> None:
    """A resident asks to join HN01, whose leader never opened the bot: the police's group is
    asked instead."""
    await onboard(person)
    await person.command("thamgia", "HN01")
    await person.wait_for("Đã ghi nhận yêu cầu tham gia")
    await staff_group.wait_for(f"{name} xin tham gia")


async def test_an_officer_decides_join_requests_from_the_team_s_page(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, staff_group: SimGroup,
    browser: Browser, tmp_path: Path,
) -> None:
    xuyen = sandbox.user(3501, first_name="Xuyến")
    minh = sandbox.user(3502, first_name="Minh")
    await asks_to_join(xuyen, "Xuyến", staff_group)
    await asks_to_join(minh, "Minh", staff_group)
    errors: list[str] = []
    page = await logged_in(officer, browser, errors)
    await page.get_by_role("link", name="Tổ", exact=True).click()
    await page.get_by_role("link", name="Tổ an ninh nhân dân số 1", exact=True).click()
    requests = page.locator("ul.requests")
    await expect(requests).to_contain_text("Xuyến")
    await expect(requests).to_contain_text("Minh")
    await page.screenshot(path=screenshots(tmp_path) / "team-requests.png", full_page=True)

    await page.get_by_role("button", name="Duyệt: Xuyến").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã duyệt")
    assert (await xuyen.wait_for("Công an xã đã duyệt")).text.endswith(
        "Bạn là thành viên của Tổ an ninh nhân dân số 1.")
    await expect(page.locator("ul.members").first).to_contain_text("Xuyến")
    await page.get_by_role("button", name="Từ chối: Minh").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã từ chối")
    await minh.wait_for("không được duyệt")
    await expect(page.get_by_text("Không có yêu cầu nào chờ duyệt")).to_be_visible()

    # The chat's buttons for the same requests act no more (the newest: Minh's).
    pressed = await officer.press("Duyệt", chat=staff_group)
    assert "đã được xử lý" in (await officer.answer_for(pressed)).text
    assert errors == []

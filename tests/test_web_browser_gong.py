# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""The gong and the teams in a real browser (headless Chromium) against the real bot and the
Telegram sandbox: an officer sounds the gong for a hamlet from /gong, a resident of it gets it
in the sandbox and answers "Đang đến", the page counts them, and "Đã an toàn" reaches them;
an officer creates a team (its join code shown) and makes a member its leader, who is told in
the sandbox."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.store import Store
from tests.browser import screenshots
from tests.helpers import onboard
from tests.test_web_browser import browser, config_extra  # noqa: F401 (fixtures)
from tests.test_web_browser_more import logged_in


async def test_an_officer_sounds_the_gong_in_the_browser_and_a_resident_answers(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, staff_group: SimGroup,
    browser: Browser, tmp_path: Path,
) -> None:
    xuan = sandbox.user(3601, first_name="Xuân")
    await onboard(xuan)
    errors: list[str] = []
    page = await logged_in(officer, browser, errors)
    await page.get_by_role("link", name="Kẻng", exact=True).click()
    await page.get_by_label("Kẻng cho").select_option(label="Ấp Hưng Nhơn")
    await page.get_by_label("Trộm").check()
    await page.get_by_label("Ghi chú (không bắt buộc)").fill("Có người lạ cạy cửa nhà số 12")
    await page.screenshot(path=screenshots(tmp_path) / "gong.png", full_page=True)
    await page.get_by_role("button", name="🔔 Phát kẻng").click()
    await expect(page.locator("#gong-state")).to_have_text("Đang phát kẻng")

    alert = await xuan.wait_for("KẺNG AN NINH")
    assert "Có người lạ cạy cửa nhà số 12" in alert.text and "Ấp Hưng Nhơn" in alert.text
    pressed = await xuan.press("🏃 Đang đến")
    assert "Đã báo bạn đang đến" in (await xuan.answer_for(pressed)).text
    await page.reload()
    await expect(page.locator('[data-count="coming"]')).to_have_text("1")
    await expect(page.locator("#gong-coming")).to_contain_text("Xuân")
    await page.screenshot(path=screenshots(tmp_path) / "gong-count.png", full_page=True)
    await page.get_by_role("button", name="✅ Đã an toàn").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã báo an toàn")
    await xuan.wait_for("ĐÃ AN TOÀN")
    await staff_group.wait_for("Đã an toàn")
    assert errors == []


async def test_an_officer_creates_a_team_and_appoints_its_leader_in_the_browser(
    sandbox: Sandbox, bot: AnninhApp, store: Store, officer: SimUser, browser: Browser,
    tmp_path: Path,
) -> None:
    yen = sandbox.user(3602, first_name="Yến")
    await onboard(yen)
    errors: list[str] = []
    page = await logged_in(officer, browser, errors)
    await page.get_by_role("link", name="Tổ", exact=True).click()
    await page.get_by_label("Tên tổ").fill("Tổ tuần tra bến đò")
    await page.locator("select[name=hamlet]").select_option(label="Ấp Hưng Nhơn")
    await page.get_by_role("button", name="Lập tổ").click()
    await expect(page.get_by_role("heading", name="Tổ tuần tra bến đò")).to_be_visible()
    code = await page.locator(".sub code").inner_text()
    await expect(page.get_by_role("status")).to_contain_text(f"mã tham gia {code}")

    team = await store.areas.team_by_join_code(code)
    yen_id = await store.residents.by_telegram_id(3602)
    assert team is not None and yen_id is not None
    async with store.db.transaction() as tx:  # she joined (the join flow is tested elsewhere)
        await store.memberships.add(tx, team.id, yen_id.id, "member", "active")
    await page.reload()
    await page.get_by_label("Chọn thành viên làm tổ trưởng").select_option(label="Yến")
    await page.get_by_role("button", name="Đặt làm tổ trưởng").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã đặt tổ trưởng")
    await expect(page.locator("ul.members").first).to_contain_text("Yến ★")
    await page.screenshot(path=screenshots(tmp_path) / "team-leader.png", full_page=True)
    told = await yen.wait_for("đã cử bạn làm tổ trưởng")
    assert "Tổ tuần tra bến đò" in told.text
    assert errors == []

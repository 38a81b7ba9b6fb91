# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""The console's later pages in a real browser (headless Chromium) against the real bot and
the Telegram sandbox: an officer writes to a reporter from the report's page and the resident
gets it in the sandbox; the figures page and a table's CSV; the map with a report's marker,
its tiles unreachable. Screenshots go where tests/browser.py says."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page, expect

from bot.config import Config
from bot.context import SERVICES_KEY, AnninhApp
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.services.container import Services
from bot.services.report_values import Draft, Outcome
from bot.store import Store
from tests.browser import screenshots
from tests.helpers import onboard
from tests.test_report import file_report
from tests.test_web_browser import LINK, browser, config_extra  # noqa: F401 (fixtures)
from tests.test_web_map import sounded
from tests.web_kit import People, person


async def filed(lan: SimUser, staff_group: SimGroup, text: str,
                location: tuple[float, float] | None = None) -> str:
    """A resident onboards and files a report the staff group gets; its code."""
    await onboard(lan)
    code = await file_report(lan, text, location=location)
    await staff_group.wait_for(code)
    return code


async def logged_in(officer: SimUser, browser: Browser, errors: list[str]) -> Page:
    await officer.command("web")
    link = LINK.search((await officer.wait_for("Đường dẫn đăng nhập")).text)
    assert link is not None
    page = await browser.new_page(viewport={"width": 1280, "height": 860}, locale="vi-VN")
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(link[1])
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("heading", name="Tin báo")).to_be_visible()
    return page


async def test_an_officer_writes_to_the_reporter_from_the_browser(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup, officer: SimUser,
    browser: Browser, tmp_path: Path,
) -> None:
    lan = sandbox.user(3401, first_name="Lan", last_name="Phạm")
    code = await filed(lan, staff_group, "Có người lạ đi xe không biển số lượn quanh trường học")
    errors: list[str] = []
    page = await logged_in(officer, browser, errors)
    await page.get_by_role("link", name=code).click()
    await expect(page.get_by_text("Chưa có tin nhắn nào")).to_be_visible()
    await page.get_by_label("Nhắn cho người báo tin").fill(
        "Anh/chị nhớ được màu xe và giờ nào không?")
    await page.get_by_role("button", name="Gửi tin nhắn").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã gửi tin nhắn")
    conversation = page.locator("#conversation")
    await expect(conversation).to_contain_text("màu xe và giờ nào")
    await expect(conversation).to_contain_text("Công an xã")  # the officer has no name

    told = await lan.wait_for("màu xe và giờ nào")
    assert code in told.text and "Công an xã" in told.text
    await page.reload()
    await page.screenshot(path=screenshots(tmp_path) / "report-conversation.png",
                          full_page=True)
    assert errors == []


async def test_the_figures_page_in_the_browser(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup, officer: SimUser,
    browser: Browser, tmp_path: Path,
) -> None:
    await filed(sandbox.user(3402, first_name="Lan"), staff_group,
                "Mất trộm gà trong chuồng lúc nửa đêm")
    errors: list[str] = []
    page = await logged_in(officer, browser, errors)
    await page.get_by_role("link", name="Số liệu").click()
    await expect(page.get_by_role("heading", name="Số liệu")).to_be_visible()
    chart = page.locator("#chart-days")  # drawn by the vendored uPlot, no CDN
    await expect(chart.locator("canvas")).to_be_visible()
    await expect(chart).to_have_attribute("data-drawn", "31")  # a bar for each of 31 days
    categories = page.locator("#fig-categories")
    await expect(categories.get_by_role("row").filter(has_text="Trộm cắp")).to_contain_text("1")
    async with page.expect_download() as downloading:
        await categories.get_by_role("link", name="Tải CSV").click()
    download = await downloading.value
    assert download.suggested_filename == "categories-30d.csv"
    with open(await download.path(), encoding="utf-8-sig") as saved:  # noqa: ASYNC230
        assert "Trộm cắp,1,1,0,0" in saved.read()
    await page.get_by_role("link", name="Một năm qua").click()
    await expect(page.get_by_role("link", name="Một năm qua")).to_have_attribute(
        "aria-current", "page")
    folder = screenshots(tmp_path)
    await page.screenshot(path=folder / "figures.png", full_page=True)
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.screenshot(path=folder / "figures-phone.png", full_page=True)
    assert errors == []


async def test_the_map_shows_a_report_s_marker_without_tiles(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup, officer: SimUser,
    browser: Browser, tmp_path: Path,
) -> None:
    """The tiles' server cannot be reached here (no internet): the marker still shows."""
    code = await filed(sandbox.user(3403, first_name="Lan"), staff_group,
                       "Nhóm thanh niên tụ tập đua xe ở đường đê", (10.9512, 107.1623))
    errors: list[str] = []
    page = await logged_in(officer, browser, errors)
    await page.get_by_role("link", name="Bản đồ").click()
    await expect(page.get_by_role("heading", name="Bản đồ")).to_be_visible()
    await expect(page.locator("#map")).to_have_attribute("data-count", "1")  # drawn, in view
    marker = page.locator("path.report-marker.state-submitted")
    await expect(marker).to_have_count(1)
    await marker.click()
    await expect(page.locator(".leaflet-popup")).to_contain_text(code)
    await expect(page.locator(".leaflet-popup")).to_contain_text("Chờ tiếp nhận")
    await expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")  # faded in
    await page.screenshot(path=screenshots(tmp_path) / "map.png", full_page=True)
    await page.locator(".leaflet-popup").get_by_role("link", name=code).click()
    await expect(page.get_by_text("đua xe ở đường đê")).to_be_visible()
    await expect(page.locator("#map path.report-marker")).to_have_count(1)  # its place
    await page.screenshot(path=screenshots(tmp_path) / "report-map.png", full_page=True)
    # Tiles that could not load are the only errors (no script error, no CSP violation).
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []


async def test_the_map_clusters_the_period_s_reports_and_shows_a_gong(
    bot: AnninhApp, store: Store, config: Config, officer: SimUser, browser: Browser,
    tmp_path: Path,
) -> None:
    """Three reports a few metres apart make one cluster, a fourth stands alone, a gong has
    its own marker; the heat layer can be turned on; a category filter leaves none."""
    services: Services = bot.bot_data[SERVICES_KEY]
    lan = await person(services, config, 3404, "Lan")
    for latitude, longitude in ((10.9512, 107.1623), (10.9513, 107.1624),
                                (10.9511, 107.1622), (10.99, 107.21)):
        filed = await services.reports.file(lan, Draft(
            "trom-cap", "Mất trộm xe máy", latitude=latitude, longitude=longitude))
        assert filed.outcome is Outcome.DONE
    hung = await store.residents.by_telegram_id(1001)
    assert hung is not None
    await sounded(store, People(officer=hung, stranger_officer=hung, resident=lan), "hung-loc",
                  services.clock.now().isoformat(timespec="seconds"), (10.97, 107.18))
    errors: list[str] = []
    page = await logged_in(officer, browser, errors)
    await page.get_by_role("link", name="Bản đồ").click()
    await page.get_by_role("link", name="Một năm qua").click()
    await expect(page.locator("#map")).to_have_attribute("data-count", "4")
    cluster = page.locator(".marker-cluster")
    await expect(cluster).to_have_count(1)
    await expect(cluster).to_contain_text("3")
    await expect(page.locator("path.report-marker")).to_have_count(1)
    gong = page.locator(".alarm-marker")
    await expect(gong).to_have_count(1)
    await gong.click()
    await expect(page.locator(".leaflet-popup")).to_contain_text("Xã Hưng Lộc")
    await expect(page.locator(".leaflet-popup")).to_contain_text("Đang phát kẻng")
    await page.get_by_label("Mật độ tin báo").check()
    await expect(page.locator("canvas.leaflet-heatmap-layer")).to_have_count(1)
    await page.screenshot(path=screenshots(tmp_path) / "map-clusters.png", full_page=True)
    await cluster.click()  # zooms in until the three come apart
    await expect(page.locator("path.report-marker")).to_have_count(3)
    await page.get_by_label("Loại tin").select_option(label="Đánh nhau / gây rối")
    await page.get_by_role("button", name="Lọc").click()
    await expect(page.locator("#map")).to_have_attribute("data-count", "0")
    await expect(page.locator(".alarm-marker")).to_have_count(1)  # gongs have no category
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []

# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""The map (aiohttp's test client, a real database, no bot): the page and its markers'
JSON — the officer's communes' reports of the period with a shared location, nobody
else's — and the tiles allowed by the page's Content-Security-Policy, or none."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import FakeClock
from bot.config import Config, load_config
from bot.models import Report
from bot.services.container import Services
from bot.services.report_values import Action, Draft, Outcome
from bot.store import Store
from bot.web.reports_map import tile_source
from bot.web.server import build_app
from tests.test_web_console import (  # noqa: F401 (fixtures)
    cast,
    client,
    config_extra,
    cookies,
    services,
)
from tests.web_kit import COOKIE, People, file_report, session_of


async def located(services: Services, cast: People, latitude: float) -> Report:
    filed = await services.reports.file(cast.resident, Draft(
        "trom-cap", "Mất xe đạp", latitude=latitude, longitude=107.16, anonymous=True))
    assert filed.outcome is Outcome.DONE and filed.report is not None
    return filed.report


def test_the_tiles_origin_for_the_policy() -> None:
    assert tile_source("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == (
        "https://tile.openstreetmap.org")
    assert tile_source("https://{s}.tiles.example.vn/{z}/{x}/{y}.png") == (
        "https://*.tiles.example.vn")
    assert tile_source("") is None


def test_map_tiles_default_to_openstreetmap_and_may_be_none(tmp_path: object) -> None:
    from pathlib import Path
    folder = Path(str(tmp_path))
    (folder / "config.toml").write_text("[web]\n", encoding="utf-8")
    assert load_config(folder / "config.toml").web.map_tiles == (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    (folder / "config.toml").write_text('[web]\nmap_tiles = ""\n', encoding="utf-8")
    assert load_config(folder / "config.toml").web.map_tiles == ""


async def test_the_officer_s_map_shows_the_period_s_located_reports(
    client: TestClient, services: Services, clock: FakeClock, cast: People,
) -> None:
    old = await located(services, cast, 10.90)
    clock.advance(timedelta(days=40))
    fresh = await located(services, cast, 10.95)
    await file_report(services, cast.resident)  # typed address only: no marker
    jar = {COOKIE: await session_of(services, cast.officer)}
    page = await client.get("/map", cookies=jar)
    body = await page.text()
    assert page.status == 200 and "1 tin có vị trí" in body
    assert "img-src 'self' data: https://tile.openstreetmap.org" in page.headers[
        "Content-Security-Policy"]
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in body
    data = await (await client.get("/map/markers.json", cookies=jar)).json()
    assert [(m["code"], m["lat"], m["state"], m["state_label"], m["category"])
            for m in data["markers"]] == [
        (fresh.code, 10.95, "submitted", "Chờ tiếp nhận", "Trộm cắp")]
    yearly = await (await client.get("/map/markers.json?days=365", cookies=jar)).json()
    assert {m["code"] for m in yearly["markers"]} == {old.code, fresh.code}


async def test_without_tiles_the_policy_allows_no_other_site(
    services: Services, config: Config, cast: People,
) -> None:
    assert config.web_on is not None
    bare = dataclasses.replace(config.web_on, map_tiles="")
    async with TestClient(TestServer(build_app(services, bare, None))) as client:
        jar = {COOKIE: await session_of(services, cast.officer)}
        page = await client.get("/map", cookies=jar)
        assert page.status == 200 and 'data-tiles=""' in await page.text()
        assert "img-src 'self';" in page.headers["Content-Security-Policy"]
        assert page.headers["Referrer-Policy"] == "no-referrer"


async def test_nobody_but_the_commune_s_officer_sees_its_map(
    client: TestClient, services: Services, store: Store, clock: FakeClock, cast: People,
) -> None:
    report = await located(services, cast, 10.95)
    for who, token in (await cookies(services, store, clock, cast)).items():
        jar = {COOKIE: token} if token else {}
        page = await client.get("/map", cookies=jar)
        markers = await client.get("/map/markers.json", cookies=jar)
        if who == "other commune":
            assert page.status == 200 and "0 tin có vị trí" in await page.text()
            assert (await markers.json())["markers"] == []
        else:
            assert page.status == 401 and markers.status == 401, who
            assert report.code not in await markers.text()


async def test_a_located_report_s_page_shows_its_place_on_a_small_map(
    client: TestClient, services: Services, cast: People,
) -> None:
    jar = {COOKIE: await session_of(services, cast.officer)}
    placed = await located(services, cast, 10.95)
    page = await client.get(f"/reports/{placed.id}", cookies=jar)
    body = await page.text()
    assert 'data-point="[10.95, 107.16]"' in body and "/static/leaflet/leaflet.js" in body
    assert "https://tile.openstreetmap.org" in page.headers["Content-Security-Policy"]
    typed = await file_report(services, cast.resident)  # an address only: no map, no tiles
    page = await client.get(f"/reports/{typed.id}", cookies=jar)
    assert "data-point" not in await page.text()
    assert "openstreetmap" not in page.headers["Content-Security-Policy"]


async def sounded(store: Store, cast: People, commune: str, at: str,
                  place: tuple[float, float] | None = None) -> int:
    """A gong in `commune` by the officer to the resident (as /keng records it), at `place`
    when given."""
    found = await store.areas.commune_by_code(commune)
    assert found is not None
    async with store.db.transaction() as tx:
        return await store.alarms.create(
            tx, [cast.resident.id], commune_id=found.id, caller_id=cast.officer.id,
            caller_role="officer", caller_name="Hùng", scope_kind="commune",
            scope_id=found.id, scope_name=found.name, kind="trom", note=None,
            latitude=place[0] if place else None, longitude=place[1] if place else None,
            sent_at=at, expires_at=at)


async def test_the_map_filters_reports_and_shows_the_period_s_gongs(
    client: TestClient, services: Services, store: Store, clock: FakeClock, cast: People,
) -> None:
    theft = await located(services, cast, 10.95)
    fight = await services.reports.file(cast.resident, Draft(
        "danh-nhau", "Đánh nhau ở quán", latitude=10.96, longitude=107.17, anonymous=True))
    assert fight.report is not None
    await services.triage.act(cast.officer, "Hùng", theft.id, Action.RESOLVE)
    old = clock.now().isoformat(timespec="seconds")
    clock.advance(timedelta(days=40))
    now = clock.now().isoformat(timespec="seconds")
    await sounded(store, cast, "hung-loc", old, (10.9, 107.1))  # out of the period
    placed = await sounded(store, cast, "hung-loc", now, (10.951, 107.161))
    unplaced = await sounded(store, cast, "hung-loc", now)
    await sounded(store, cast, "phu-hoi", now, (11.0, 107.0))  # another commune's
    jar = {COOKIE: await session_of(services, cast.officer)}

    async def codes(query: str) -> list[str]:
        data = await (await client.get(f"/map/markers.json?days=365&{query}",
                                       cookies=jar)).json()
        return sorted(m["code"] for m in data["markers"])

    assert await codes("") == sorted([theft.code, fight.report.code])
    assert await codes("state=open") == [fight.report.code]
    assert await codes("state=resolved") == [theft.code]
    assert await codes("category=trom-cap") == [theft.code]
    assert await codes("category=trom-cap&state=open") == []
    assert await codes("category=nonsense&state=nonsense") == sorted(
        [theft.code, fight.report.code])  # unknown filters are no filter
    data = await (await client.get("/map/markers.json?days=30", cookies=jar)).json()
    assert data["markers"] == []  # the reports are 40 days old
    assert [(a["id"], a["lat"], a["lon"], a["placed"], a["scope"], a["state_label"])
            for a in data["alarms"]] == [
        (unplaced, 10.95, 107.16, False, "Xã Hưng Lộc", "Đang phát kẻng"),  # the centre
        (placed, 10.951, 107.161, True, "Xã Hưng Lộc", "Đang phát kẻng")]
    assert "Trộm" in data["alarms"][0]["kind"]
    page = await (await client.get("/map?days=365&category=trom-cap&state=open",
                                   cookies=jar)).text()
    assert "0 tin có vị trí" in page
    assert 'data-markers="/map/markers.json?days=365&amp;category=trom-cap&amp;state=open"' in (
        page)
    assert '<option value="trom-cap" selected>' in page
    assert 'href="/map?days=30&amp;category=trom-cap&amp;state=open"' in page


async def test_the_page_says_when_the_map_shows_only_the_newest(
    client: TestClient, services: Services, cast: People, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.web.reports_map.MAP_LIMIT", 1)
    jar = {COOKIE: await session_of(services, cast.officer)}
    await located(services, cast, 10.95)
    page = await (await client.get("/map", cookies=jar)).text()
    assert "1 tin có vị trí" in page and "chỉ hiện" not in page
    await located(services, cast, 10.96)
    page = await (await client.get("/map", cookies=jar)).text()
    assert "2 tin có vị trí" in page and "Bản đồ chỉ hiện 1 tin mới nhất" in page

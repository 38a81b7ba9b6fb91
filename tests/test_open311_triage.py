"""An outside system and the running bot: a request filed through Open311 reaches the
commune's Telegram staff group as a card, and a GeoReport v2 client from the package registry
(`georeport`) lists the services and follows the request from open to closed as the officer
presses the card's buttons."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from georeport import GeoReport

from bot.context import AnninhApp
from bot.sandbox import SimGroup, SimUser
from bot.store import Store
from tests.helpers import free_port, services_of
from tests.open311_kit import API, form, key_of

PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"


@pytest.fixture
def config_extra() -> str:
    return f"[web]\nport = {PORT}\n"


async def test_a_request_filed_by_another_system_is_triaged_and_followed(
    bot: AnninhApp, staff_group: SimGroup, officer: SimUser, store: Store,
) -> None:
    key = await key_of(services_of(bot))
    client = GeoReport(f"{BASE}{API}", jurisdiction="hung-loc", api_key=key)
    services = await asyncio.to_thread(client.get_service_list)
    assert "trom-cap" in [service["service_code"] for service in services]

    async with aiohttp.ClientSession() as session, session.post(
            f"{BASE}{API}/requests.json", data=form(key, jurisdiction_id="hung-loc")) as filed:
        assert filed.status == 200
        [answer] = await filed.json()
    code = answer["service_request_id"]
    card = await staff_group.wait_for(code)
    assert "Mất trộm xe máy trước cổng chợ".lower() in card.text.lower()
    assert "Tiếp nhận" in " ".join(card.labels)

    followed = await asyncio.to_thread(client.get_service_request, code)
    assert followed["status"] == "open" and followed["extensions"]["state"] == "submitted"
    await officer.press("Tiếp nhận", chat=staff_group)
    await staff_group.wait_for("Đã tiếp nhận")
    followed = await asyncio.to_thread(client.get_service_request, code)
    assert followed["status"] == "open" and followed["extensions"]["state"] == "accepted"
    await officer.press("Đã xử lý", chat=staff_group)
    await staff_group.wait_for("Đã xử lý —")
    followed = await asyncio.to_thread(client.get_service_request, code)
    assert followed["status"] == "closed" and followed["extensions"]["state"] == "resolved"

    report = await store.reports.get(int(code[3:]))
    assert report is not None
    entries = await store.audit.entries("report", report.id)
    assert [(e.action, e.actor_label) for e in entries] == [
        ("report.submitted", "open311"), ("report.accept", "officer"),
        ("report.resolve", "officer")]
    assert json.loads(entries[0].detail)["origin"] == "Trung tâm 1022 tỉnh"

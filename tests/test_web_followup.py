# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""What follows "Đã xử lý" on a report's page (aiohttp's test client, a real database, no
bot): the outcome, chosen or typed, and "Khen người báo tin" — each once a report, the
reporter told through the outbox on their messenger, anonymity kept, audited "web", and
refused to an officer of another commune."""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient

from bot.models import Report
from bot.services.container import Services
from bot.services.report_values import Action, Outcome
from bot.store import Store
from tests.test_web_console import (  # noqa: F401 (fixtures)
    cast,
    client,
    config_extra,
    services,
)
from tests.web_kit import COOKIE, People, csrf_in, file_report, session_of


@pytest.fixture
async def resolved(services: Services, cast: People) -> Report:
    """An anonymous report its commune's officer has resolved (in chat)."""
    report = await file_report(services, cast.resident)
    acted = await services.triage.act(cast.officer, "Cán bộ Hùng", report.id, Action.RESOLVE)
    assert acted.outcome is Outcome.DONE and acted.report is not None
    return acted.report


async def told(store: Store, what: str) -> list[tuple[int | None, str]]:
    """Who each message of kind `what` (report:<code>:<what>) is queued for, and its text."""
    rows = await store.db.fetchall(
        "SELECT o.resident_id, b.payload FROM outbox o JOIN broadcasts b ON b.id = "
        "o.broadcast_id WHERE b.origin LIKE ? ORDER BY o.id", (f"report:%:{what}",))
    return [(row[0], json.loads(row[1])["text"]) for row in rows]


async def page_and_csrf(client: TestClient, jar: dict[str, str],
                        report: Report) -> tuple[str, str]:
    page = await (await client.get(f"/reports/{report.id}", cookies=jar)).text()
    return page, csrf_in(page)


async def test_an_officer_tells_the_reporter_the_outcome_once(
    client: TestClient, services: Services, store: Store, cast: People, resolved: Report,
) -> None:
    jar = {COOKIE: await session_of(services, cast.officer)}
    page, csrf = await page_and_csrf(client, jar, resolved)
    assert "Kết quả thế nào?" in page and "Đã hòa giải" in page and "Kết quả khác" in page
    url = f"/reports/{resolved.id}/outcome"
    nothing = await (await client.post(url, cookies=jar, data={"csrf": csrf,
                                                                "other": "  "})).text()
    assert "Vui lòng chọn hoặc gõ kết quả xử lý" in nothing
    answer = await client.post(url, cookies=jar, data={"csrf": csrf, "outcome": "reconciled"})
    after = await answer.text()
    assert answer.status == 200 and "Đã báo kết quả cho người báo tin" in after
    assert "Kết quả thế nào?" not in after  # once a report: no longer offered
    assert "Kết quả: Đã hòa giải" in after  # in the timeline
    again = await (await client.post(url, cookies=jar, data={
        "csrf": csrf, "other": "Đã bắt được kẻ trộm"})).text()
    assert "đã chuyển sang trạng thái khác" in again
    assert await told(store, "outcome") == [(cast.resident.id, (
        f"ℹ️ Kết quả xử lý tin <b>{resolved.code}</b>: Đã hòa giải."))]
    fresh = await services.reports.get(resolved.id)
    assert fresh is not None and fresh.state_note == "Đã hòa giải"
    entries = [e for e in await store.audit.entries("report", resolved.id)
               if e.action == "report.outcome"]
    assert [(e.actor_id, json.loads(e.detail)) for e in entries] == [
        (cast.officer.id, {"origin": "web", "reason": "Đã hòa giải"})]


async def test_a_typed_outcome_is_told_as_typed(
    client: TestClient, services: Services, store: Store, cast: People, resolved: Report,
) -> None:
    jar = {COOKIE: await session_of(services, cast.officer)}
    _, csrf = await page_and_csrf(client, jar, resolved)
    await client.post(f"/reports/{resolved.id}/outcome", cookies=jar, data={
        "csrf": csrf, "outcome": "warned", "other": "Đã trả lại <xe> cho chủ"})
    assert await told(store, "outcome") == [(cast.resident.id, (
        f"ℹ️ Kết quả xử lý tin <b>{resolved.code}</b>: Đã trả lại &lt;xe&gt; cho chủ."))]


async def test_an_officer_commends_an_anonymous_reporter_once(
    client: TestClient, services: Services, store: Store, cast: People, resolved: Report,
) -> None:
    jar = {COOKIE: await session_of(services, cast.officer)}
    page, csrf = await page_and_csrf(client, jar, resolved)
    assert "🏅 Khen người báo tin" in page and "Nguyễn Văn Hà" not in page
    url = f"/reports/{resolved.id}/commend"
    before = await services.store.points.total(cast.resident.id)
    first = await (await client.post(url, cookies=jar, data={"csrf": csrf})).text()
    assert "Đã gửi lời khen của công an xã tới người báo tin" in first
    assert "Nguyễn Văn Hà" not in first  # anonymity kept
    assert 'action="/reports/' + str(resolved.id) + '/commend"' not in first
    second = await (await client.post(url, cookies=jar, data={"csrf": csrf})).text()
    assert "Người báo tin này đã được khen rồi" in second
    messages = await told(store, "commended")
    assert len(messages) == 1 and messages[0][0] == cast.resident.id
    assert f"cảm ơn bạn đã báo tin <b>{resolved.code}</b>" in messages[0][1]
    assert await services.store.points.total(cast.resident.id) == before + (
        services.points.rules["commended"].points)  # once, as in chat
    entries = [e for e in await store.audit.entries("report", resolved.id)
               if e.action == "report.commend"]
    assert [(e.actor_id, json.loads(e.detail)) for e in entries] == [
        (cast.officer.id, {"origin": "web"})]


async def test_an_officer_of_another_commune_is_refused(
    client: TestClient, services: Services, store: Store, cast: People, resolved: Report,
) -> None:
    own = {COOKIE: await session_of(services, cast.officer)}
    other = {COOKIE: await session_of(services, cast.stranger_officer)}
    _, csrf = await page_and_csrf(client, own, resolved)
    theirs = csrf_in(await (await client.get("/", cookies=other)).text())
    for path, form in (("outcome", {"outcome": "verified"}), ("commend", {})):
        for token, status in ((theirs, 404), (csrf, 403)):  # not their report; not their form
            answer = await client.post(f"/reports/{resolved.id}/{path}", cookies=other,
                                       data={"csrf": token, **form})
            assert answer.status == status, (path, token)
    own_session = await client.post(f"/reports/{resolved.id}/commend", data={"csrf": csrf})
    assert own_session.status == 401  # no session at all
    assert await told(store, "outcome") == [] and await told(store, "commended") == []
    fresh = await services.reports.get(resolved.id)
    assert fresh is not None and fresh.state_note is None

# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""The conversation with the reporter on a report's page (aiohttp's test client, a real
database, no bot): the messages about the report in order, and the form that writes to the
reporter — queued on the reporter's own messenger through the relays, the reporter never
named, audited "web" — refused to everyone but the report's officers."""

from __future__ import annotations

import json
import re

import pytest
from aiohttp.test_utils import TestClient

from bot.clock import FakeClock
from bot.models import Report, ReportPhoto
from bot.services.container import Services
from bot.store import Store
from tests.test_web_console import (  # noqa: F401 (fixtures)
    cast,
    client,
    config_extra,
    cookies,
    services,
)
from tests.web_kit import COOKIE, JPEG, People, file_report, session_of


@pytest.fixture
async def report(services: Services, cast: People) -> Report:
    return await file_report(services, cast.resident)  # anonymous


async def csrf_of(client: TestClient, jar: dict[str, str], report: Report) -> str:
    page = await (await client.get(f"/reports/{report.id}", cookies=jar)).text()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found[1]


async def relayed(store: Store) -> list[tuple[int | None, str]]:
    """Who each relayed message is queued for, and its text."""
    rows = await store.db.fetchall(
        "SELECT o.resident_id, b.payload FROM outbox o JOIN broadcasts b ON b.id = "
        "o.broadcast_id WHERE b.origin LIKE 'relay:%' ORDER BY o.id")
    return [(row[0], json.loads(row[1])["text"]) for row in rows]


async def test_an_officer_writes_to_an_anonymous_reporter_from_the_report_s_page(
    client: TestClient, services: Services, store: Store, cast: People, report: Report,
) -> None:
    photo = await services.media.files.put(JPEG, "photo", "image/jpeg")
    await services.reports.add_info(cast.resident, report.id, "Xe màu đỏ, biển 60B1",
                                  ReportPhoto(None, None, photo.key))
    jar = {COOKIE: await session_of(services, cast.officer)}
    csrf = await csrf_of(client, jar, report)
    answer = await client.post(f"/reports/{report.id}/write", cookies=jar, data={
        "csrf": csrf, "text": "Anh/chị cho biết <b>giờ</b> mất xe được không?"})
    page = await answer.text()
    assert answer.status == 200 and "Đã gửi tin nhắn cho người báo tin" in page
    conversation = page[page.index('id="conversation"'):]
    first, second = conversation.index("Xe màu đỏ"), conversation.index(
        "&lt;b&gt;giờ&lt;/b&gt; mất xe")  # escaped
    assert first < second  # in order: the reporter's addition, then the officer's words
    assert "Người báo tin" in conversation and "Cán bộ Hùng" in conversation
    assert "đang gửi" in conversation  # queued, not delivered yet
    assert "Nguyễn Văn Hà" not in page  # the anonymous reporter is named nowhere
    said = re.search(r'/reports/\d+/said/(\d+)/photo', conversation)
    assert said is not None
    picture = await client.get(said[0], cookies=jar)
    assert picture.status == 200 and (await picture.read())[:2] == b"\xff\xd8"

    assert await relayed(store) == [(cast.resident.id, (
        "💬 <b>Công an xã</b> nhắn về tin <b>" + report.code + "</b>:\n"
        "Anh/chị cho biết &lt;b&gt;giờ&lt;/b&gt; mất xe được không?\n\n"
        "<i>Trả lời (reply) tin nhắn này để nhắn lại cho công an xã.</i>"))]
    entries = [e for e in await store.audit.entries("report", report.id)
               if e.action == "report.message"]
    assert [(e.actor_id, e.actor_label, json.loads(e.detail)) for e in entries] == [
        (cast.officer.id, "officer", {"origin": "web", "to": "reporter"})]
    assert "Nhắn người báo tin" in page and "trên web" in page  # in the timeline too


async def test_a_blank_or_overlong_message_is_refused_and_a_gone_reporter_said_so(
    client: TestClient, services: Services, store: Store, cast: People, report: Report,
) -> None:
    jar = {COOKIE: await session_of(services, cast.officer)}
    csrf = await csrf_of(client, jar, report)

    async def write(text: str) -> str:
        answer = await client.post(f"/reports/{report.id}/write", cookies=jar,
                                   data={"csrf": csrf, "text": text})
        assert answer.status == 200
        return await answer.text()

    assert "Vui lòng gõ nội dung tin nhắn" in await write(" \n ")
    assert "Tin nhắn quá dài" in await write("a" * 1001)
    assert await relayed(store) == []
    await services.residents.forget(cast.resident)
    gone = await write("Còn ở đó không?")
    assert "không chuyển được" in gone and "Còn ở đó không?" in gone
    assert await relayed(store) == []


async def test_nobody_but_the_report_s_officer_writes_or_sees_a_message_s_photo(
    client: TestClient, services: Services, store: Store, clock: FakeClock, cast: People,
    report: Report,
) -> None:
    photo = await services.media.files.put(JPEG, "photo", "image/jpeg")
    await services.reports.add_info(cast.resident, report.id, None,
                                  ReportPhoto(None, None, photo.key))
    message_id = (await store.reports.messages(report.id))[0].id
    for who, token in (await cookies(services, store, clock, cast)).items():
        jar = {COOKIE: token} if token else {}
        write = await client.post(f"/reports/{report.id}/write", cookies=jar,
                                  data={"csrf": "csrf-x", "text": "Xin chào"})
        picture = await client.get(f"/reports/{report.id}/said/{message_id}/photo",
                                   cookies=jar)
        if who == "other commune":
            assert write.status in (403, 404) and picture.status == 404, who
        else:
            assert write.status == 401 and picture.status == 401, who
    jar = {COOKIE: await session_of(services, cast.officer)}
    assert (await client.post(f"/reports/{report.id}/write", cookies=jar, data={
        "text": "Xin chào"})).status == 403  # no CSRF token
    assert (await client.get(f"/reports/{report.id}/said/99999/photo", cookies=jar)
            ).status == 404
    assert await relayed(store) == []
    assert [e for e in await store.audit.entries("report", report.id)
            if e.action == "report.message"] == []

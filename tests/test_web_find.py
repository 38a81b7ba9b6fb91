# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""A report looked up by its tracking code from the queue page (aiohttp's test client, a
real database): "TB-000123", "tb 123" or "123" open the report of the officer's communes;
another commune's report, a code of none, or words are "không tìm thấy" on the queue."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from bot.services.console import typed_code
from bot.services.container import Services
from tests.test_web_console import (  # noqa: F401 (fixtures)
    cast,
    client,
    config_extra,
    services,
)
from tests.web_kit import COOKIE, People, file_report, session_of


def test_a_typed_code_names_a_report_id() -> None:
    for typed in ("TB-000123", "tb 123", "123", " Tb-123 ", "tb123", "TB - 0123"):
        assert typed_code(typed) == 123, typed
    for typed in ("", "TB-", "abc", "12a", "TB-0", "TB-1234567890", "TB-12 34"):
        assert typed_code(typed) is None, typed


async def test_the_queue_opens_a_report_by_its_code(
    client: TestClient, services: Services, cast: People,
) -> None:
    report = await file_report(services, cast.resident)
    jar = {COOKIE: await session_of(services, cast.officer)}
    queue = await (await client.get("/", cookies=jar)).text()
    assert 'action="/find"' in queue and "Mở tin theo mã" in queue
    for typed in (report.code, f"tb {report.id}", str(report.id)):
        answer = await client.get("/find", params={"code": typed}, cookies=jar,
                                  allow_redirects=False)
        assert answer.status == 303 and answer.headers["Location"] == f"/reports/{report.id}"
    opened = await client.get("/find", params={"code": report.code.lower()}, cookies=jar)
    assert opened.status == 200 and "Mất trộm xe máy" in await opened.text()


async def test_a_code_of_no_report_of_the_officer_s_communes_is_not_found(
    client: TestClient, services: Services, cast: People,
) -> None:
    report = await file_report(services, cast.resident)
    other = {COOKIE: await session_of(services, cast.stranger_officer)}
    for typed, shown in ((report.code, report.code), ("TB-999999", "TB-999999"),
                         ("<b>xe</b>", "&lt;b&gt;xe&lt;/b&gt;")):
        answer = await client.get("/find", params={"code": typed}, cookies=other)
        page = await answer.text()
        assert answer.status == 404 and f"Không tìm thấy tin báo “{shown}”" in page, typed
        assert "Mất trộm xe máy" not in page
    blank = await client.get("/find", params={"code": "  "}, cookies=other,
                             allow_redirects=False)
    assert blank.status == 303 and blank.headers["Location"] == "/"
    assert (await client.get("/find", params={"code": report.code})).status == 401

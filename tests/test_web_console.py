"""The web console's routes, each requested as a stranger, a resident, an officer of another
commune, a removed officer and the report's own officer (aiohttp's test client, a real
database, no bot): only the last sees anything, and the headers hold on every answer."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import FakeClock
from bot.config import Config
from bot.models import Report
from bot.sending import OutMessage
from bot.services.container import Services
from bot.services.web_auth import LINKS_PER_HOUR, Refusal
from bot.store import Store
from bot.web.server import build_app
from tests.web_kit import (
    COOKIE,
    People,
    console_client,
    file_report,
    forged_session,
    people,
    person,
    session_of,
)


@pytest.fixture
def config_extra() -> str:
    return "[web]\nport = 8099\n"


@pytest.fixture
def services(config: Config, store: Store, clock: FakeClock) -> Services:
    return Services.build(config, store, clock)


@pytest.fixture
async def client(services: Services, config: Config) -> AsyncIterator[TestClient]:
    async for started in console_client(services, config):
        yield started


@pytest.fixture
async def cast(services: Services, config: Config) -> People:
    return await people(services, config)


@pytest.fixture
async def report(services: Services, cast: People) -> Report:
    return await file_report(services, cast.resident, photo=True, voice=True)


def routes(report: Report) -> list[tuple[str, str]]:
    return [("GET", "/"), ("GET", f"/reports/{report.id}"),
            ("GET", f"/reports/{report.id}/photos/1"), ("GET", f"/reports/{report.id}/voice"),
            ("POST", f"/reports/{report.id}/act"), ("POST", f"/reports/{report.id}/outcome"),
            ("POST", f"/reports/{report.id}/commend"),
            ("POST", "/logout")]


async def cookies(services: Services, store: Store, clock: FakeClock,
                  cast: People) -> dict[str, str]:
    """Each persona's session cookie (the stranger has none); the removed officer's role is
    taken away after they logged in."""
    removed = await person(services, services.config, 1003, "Cán bộ cũ")
    hung_loc = await store.areas.commune_by_code("hung-loc")
    assert hung_loc is not None
    async with store.db.transaction() as tx:
        await store.residents.grant_role(tx, removed.id, "officer", hung_loc.id, "test")
    removed_token = await session_of(services, removed)
    async with store.db.transaction() as tx:
        await store.residents.revoke_role(tx, removed.id, "officer", hung_loc.id)
    return {"stranger": "", "resident": await forged_session(store, cast.resident, clock),
            "other commune": await session_of(services, cast.stranger_officer),
            "removed officer": removed_token}


async def test_nobody_but_the_report_s_officer_reaches_a_route(
    client: TestClient, services: Services, store: Store, clock: FakeClock, cast: People,
    report: Report,
) -> None:
    for who, token in (await cookies(services, store, clock, cast)).items():
        for method, path in routes(report):
            answer = await client.request(method, path, cookies={COOKIE: token} if token else {},
                                          data={"action": "accept", "csrf": "csrf-x"})
            body = await answer.text()
            if who == "other commune" and path == "/":
                assert answer.status == 200, (who, path)
                assert report.code not in body  # another commune's report is not listed
            elif who == "other commune" and path != "/logout":
                assert answer.status == 404 if method == "GET" else answer.status in (403, 404)
            elif who == "other commune":
                assert answer.status == 403  # without this session's CSRF token
            else:
                assert answer.status == 401, (who, method, path)
                assert "/web" in body  # how to get a link
            assert "Mất trộm" not in body
    fresh = await services.reports.get(report.id)
    assert fresh is not None and fresh.state == "submitted"  # no POST changed anything


async def test_a_removed_officer_s_session_ends_at_once(
    client: TestClient, services: Services, store: Store, clock: FakeClock, cast: People,
) -> None:
    token = await session_of(services, cast.officer)
    assert (await client.get("/", cookies={COOKIE: token})).status == 200
    hung_loc = await store.areas.commune_by_code("hung-loc")
    assert hung_loc is not None
    async with store.db.transaction() as tx:
        await store.residents.revoke_role(tx, cast.officer.id, "officer", hung_loc.id)
    assert (await client.get("/", cookies={COOKIE: token})).status == 401
    async with store.db.transaction() as tx:  # made an officer again: the old session is over
        await store.residents.grant_role(tx, cast.officer.id, "officer", hung_loc.id, "test")
    assert (await client.get("/", cookies={COOKIE: token})).status == 401


async def test_the_officer_sees_the_queue_the_report_and_its_photo(
    client: TestClient, services: Services, cast: People, report: Report,
) -> None:
    jar = {COOKIE: await session_of(services, cast.officer)}
    queue = await client.get("/", cookies=jar)
    page = await queue.text()
    assert queue.status == 200 and report.code in page and "Chờ tiếp nhận" in page
    detail = await (await client.get(f"/reports/{report.id}", cookies=jar)).text()
    for words in ("Mất trộm xe máy", "Ấp Hưng Nhơn, gần chợ", "Tiếp nhận", "Giao tổ",
                  "Đã xử lý", "Từ chối", "Ẩn danh"):
        assert words in detail
    assert "Nguyễn Văn Hà" not in detail  # anonymous: nothing of the reporter
    photo = await client.get(f"/reports/{report.id}/photos/1", cookies=jar)
    assert photo.status == 200 and (await photo.read())[:2] == b"\xff\xd8"
    assert (await client.get(f"/reports/{report.id}/photos/2", cookies=jar)).status == 404
    assert f'src="/reports/{report.id}/voice"' in detail and "Tin nhắn thoại" in detail
    voice = await client.get(f"/reports/{report.id}/voice", cookies=jar)
    assert voice.status == 200 and voice.headers["Content-Type"] == "audio/ogg"
    assert (await voice.read()).startswith(b"OggS")
    assert (await client.get("/reports/999999", cookies=jar)).status == 404
    assert (await client.get("/reports/abc", cookies=jar)).status == 404


async def test_a_named_report_shows_its_reporter(
    client: TestClient, services: Services, cast: People,
) -> None:
    named = await file_report(services, cast.resident, anonymous=False)
    jar = {COOKIE: await session_of(services, cast.officer)}
    detail = await (await client.get(f"/reports/{named.id}", cookies=jar)).text()
    assert "Nguyễn Văn Hà" in detail and "Ẩn danh" not in detail


async def test_every_answer_carries_the_security_headers(
    client: TestClient, services: Services, cast: People, report: Report,
) -> None:
    jar = {COOKIE: await session_of(services, cast.officer)}
    for path, cookie in (("/", {}), ("/", jar), (f"/reports/{report.id}", jar),
                         ("/static/htmx.min.js", {}), ("/nowhere", jar), ("/login/x", {})):
        answer = await client.get(path, cookies=cookie)
        headers = answer.headers
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, path
        assert "unsafe-inline" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        if not path.startswith("/static/"):
            assert headers["Cache-Control"] == "no-store"
        if answer.content_type == "text/html":
            assert not re.search(r"<script(?![^>]*\bsrc=)", await answer.text())  # no inline
            assert " style=" not in await answer.text()


async def test_the_vendored_htmx_is_served_with_its_licence(client: TestClient) -> None:
    script = await client.get("/static/htmx.min.js")
    assert script.status == 200 and "htmx" in (await script.text())[:200]
    assert (await client.get("/static/htmx.LICENSE.txt")).status == 200


async def test_a_login_link_works_once_and_expires(
    client: TestClient, services: Services, cast: People, clock: FakeClock,
) -> None:
    issued = await services.web_auth.issue(cast.officer, "chat")
    assert issued.token is not None
    stored = await services.store.db.fetchall("SELECT token_hash FROM web_logins")
    assert issued.token not in json.dumps([tuple(row) for row in stored])  # a hash only
    page = await client.get(f"/login/{issued.token}")  # a messenger's preview: nothing taken
    assert page.status == 200 and "Đăng nhập" in await page.text()
    nonce = re.search(r'name="nonce" value="([^"]+)"', await page.text())
    assert nonce is not None
    forged = await client.post("/login", data={"token": issued.token, "nonce": "other"})
    assert forged.status == 400  # the nonce must be the page's cookie's
    answer = await client.post("/login", data={"token": issued.token, "nonce": nonce[1]},
                               allow_redirects=False)
    assert answer.status == 303 and answer.headers["Location"] == "/"
    cookie = answer.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert (await client.get("/", cookies={COOKIE: cookie.value})).status == 200
    again = await client.get(f"/login/{issued.token}")
    assert again.status == 400 and "không còn dùng được" in await again.text()
    late = await services.web_auth.issue(cast.officer, "chat")
    assert late.token is not None
    clock.advance(timedelta(minutes=11))
    assert await services.web_auth.log_in(late.token) is None


async def test_logging_out_ends_the_session(
    client: TestClient, services: Services, cast: People,
) -> None:
    jar = {COOKIE: await session_of(services, cast.officer)}
    page = await (await client.get("/", cookies=jar)).text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    assert (await client.post("/logout", cookies=jar, data={"csrf": "wrong"})).status == 403
    out = await client.post("/logout", cookies=jar, data={"csrf": csrf[1]})
    assert out.status == 200 and "đăng xuất" in (await out.text()).lower()
    assert (await client.get("/", cookies=jar)).status == 401


async def test_links_are_for_officers_and_rate_limited(
    services: Services, cast: People,
) -> None:
    assert (await services.web_auth.issue(cast.resident, "chat")).refusal is Refusal.NOT_OFFICER
    for _ in range(LINKS_PER_HOUR):
        assert (await services.web_auth.issue(cast.officer, "chat")).token is not None
    assert (await services.web_auth.issue(cast.officer, "chat")).refusal is Refusal.TOO_MANY


async def test_the_card_s_actions_from_the_console(
    client: TestClient, services: Services, store: Store, cast: People, report: Report,
) -> None:
    jar = {COOKIE: await session_of(services, cast.officer)}
    page = await (await client.get(f"/reports/{report.id}", cookies=jar)).text()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    csrf = found[1]

    async def act(**form: str) -> str:
        answer = await client.post(f"/reports/{report.id}/act", cookies=jar,
                                   data={"csrf": csrf, **form})
        assert answer.status == 200  # back on the report's page
        return await answer.text()

    assert "Vui lòng chọn hoặc gõ lý do" in await act(action="reject")
    assert "Người báo tin đã được báo" in await act(action="accept")
    assert "đã chuyển sang trạng thái khác" in await act(action="accept")  # twice: once
    rejected = await act(action="reject", reason="scope", other="  ")
    assert "Không thuộc thẩm quyền" in rejected and "Đã từ chối" in rejected
    assert "Mở lại" in await act(action="reopen")
    teams = await store.areas.teams()
    assigned = await act(action="assign", team=str(teams[0].id))
    assert "Đã giao tổ" in assigned and teams[0].name in assigned
    assert "trên web" in assigned  # the timeline says where it was done
    entries = [e for e in await store.audit.entries("report", report.id)
               if e.actor_label == "officer"]
    assert [e.action for e in entries] == ["report.accept", "report.reject", "report.reopen",
                                           "report.assign"]
    assert all(json.loads(e.detail)["origin"] == "web" for e in entries)
    told = await store.db.fetchall(
        "SELECT origin FROM broadcasts WHERE origin LIKE 'report:%' ORDER BY id")
    assert [row[0].rsplit(":", 1)[1] for row in told] == ["accepted", "rejected", "reopened",
                                                          "assigned"]


async def test_the_live_stream_tells_only_the_report_s_communes(
    client: TestClient, services: Services, cast: People,
) -> None:
    assert (await client.get("/live")).status == 401
    own = await client.get("/live", cookies={COOKIE: await session_of(services, cast.officer)})
    other = await client.get("/live", cookies={
        COOKIE: await session_of(services, cast.stranger_officer)})
    assert own.status == 200 and own.content_type == "text/event-stream"
    assert await own.content.readline() == b"retry: 3000\n"
    assert await other.content.readline() == b"retry: 3000\n"
    filed = await file_report(services, cast.resident)
    await services.events.report_filed(filed, None)
    await own.content.readline()
    assert await own.content.readline() == b"event: report\n"
    assert await own.content.readline() == f"data: {filed.id}\n".encode()
    phu_hoi = await services.store.areas.commune_by_code("phu-hoi")
    assert phu_hoi is not None
    elsewhere = dataclasses.replace(filed, id=filed.id + 100, commune_id=phu_hoi.id)
    await services.events.report_filed(elsewhere, None)
    assert [await other.content.readline() for _ in range(3)] == [
        b"\n", b"event: report\n", f"data: {elsewhere.id}\n".encode()]  # not Hưng Lộc's
    own.close()
    other.close()


async def test_behind_https_the_cookie_is_secure_and_host_bound(
    services: Services, config: Config, cast: People,
) -> None:
    assert config.web_on is not None
    secure = dataclasses.replace(config.web_on, public_url="https://anninh.example.vn")
    async with TestClient(TestServer(build_app(services, secure, None))) as client:
        issued = await services.web_auth.issue(cast.officer, "cli")
        assert issued.token is not None
        page = await (await client.get(f"/login/{issued.token}")).text()
        nonce = re.search(r'name="nonce" value="([^"]+)"', page)
        assert nonce is not None
        answer = await client.post("/login", data={"token": issued.token, "nonce": nonce[1]},
                                   cookies={"anninh_login": nonce[1]}, allow_redirects=False)
        assert answer.status == 303
        cookie = answer.cookies["__Host-anninh"]
        assert cookie["secure"] and cookie["httponly"] and cookie["path"] == "/"


async def test_the_loudspeaker_sends_now_or_later_and_cancels(
    client: TestClient, services: Services, store: Store, clock: FakeClock, cast: People,
) -> None:
    """An announcement composed in the browser goes through the same service as /thongbao:
    signed, to the chosen audience, audited "web"; one for later can be cancelled; another
    commune's officer and a stranger reach none of it."""
    token = await session_of(services, cast.officer)
    jar = {COOKIE: token}
    page = await (await client.get("/loudspeaker", cookies=jar)).text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    commune = re.search(r'name="commune" value="(\d+)"', page)
    assert csrf is not None and commune is not None and "Loa phát thanh" in page
    form = {"csrf": csrf[1], "commune": commune[1], "text": "Cúp điện <toàn xã> từ 13:00"}
    sent = await client.post("/loudspeaker/send", cookies=jar, data=form,
                             allow_redirects=False)
    assert sent.status == 303 and "done=sent" in sent.headers["Location"]
    [broadcast] = [b for b in await store.broadcasts.recent(10) if b.origin == "web"]
    message = OutMessage.from_json(broadcast.payload)
    assert message.text.startswith("📢 <b>Công an xã Hưng Lộc</b>")
    assert "Cúp điện &lt;toàn xã&gt; từ 13:00" in message.text  # what was typed, as typed
    later = (clock.now() + timedelta(days=1)).astimezone(services.config.locale.tz)
    answer = await client.post("/loudspeaker/send", cookies=jar, data={
        **form, "text": "Họp dân", "when": later.strftime("%Y-%m-%dT%H:%M")},
        allow_redirects=False)
    assert "done=scheduled" in answer.headers["Location"]
    waiting = [b for b in await store.broadcasts.recent(10) if b.state == "scheduled"]
    assert len(waiting) == 1
    past = await client.post("/loudspeaker/send", cookies=jar, data={
        **form, "when": "2020-01-01T08:00"}, allow_redirects=False)
    assert "done=past" in past.headers["Location"]
    listed = await (await client.get("/loudspeaker", cookies=jar)).text()
    assert "Họp dân" in listed and "chờ đến giờ" in listed
    stranger = {COOKIE: await session_of(services, cast.stranger_officer)}
    refused = await client.post(f"/loudspeaker/cancel/{waiting[0].id}", cookies=stranger,
                                data={"csrf": "x"}, allow_redirects=False)
    assert refused.status in (403, 404)
    cancelled = await client.post(f"/loudspeaker/cancel/{waiting[0].id}", cookies=jar,
                                  data={"csrf": csrf[1]}, allow_redirects=False)
    assert "done=cancelled" in cancelled.headers["Location"]
    assert (await store.broadcasts.get(waiting[0].id)).state == "cancelled"  # type: ignore[union-attr]
    assert (await client.get("/loudspeaker")).status == 401  # no session


async def test_the_teams_page_shows_the_officer_s_communes_teams_and_their_leaders(
    client: TestClient, services: Services, store: Store, cast: People,
) -> None:
    jar = {COOKIE: await session_of(services, cast.officer)}
    page = await (await client.get("/teams", cookies=jar)).text()
    assert "Tổ an ninh nhân dân số 1" in page and "HN01" in page
    assert "chưa mở bot" in page  # the areas file's leaders never wrote to the bot
    assert "Ấp Hưng Nhơn" in page and "hung-nhon" not in page  # the hamlet's name
    team = await store.areas.team_by_join_code("HN01")
    assert team is not None
    one = await client.get(f"/teams/{team.id}", cookies=jar)
    assert one.status == 200 and "Thành viên" in await one.text()
    other = {COOKIE: await session_of(services, cast.stranger_officer)}
    assert (await client.get(f"/teams/{team.id}", cookies=other)).status == 404
    assert "HN01" not in await (await client.get("/teams", cookies=other)).text()
    assert (await client.get("/teams")).status == 401
    assert (await client.get("/teams/999999", cookies=jar)).status == 404

# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""The gong sounded from the console (aiohttp's test client, a real database): the scopes
/keng offers an officer, "Phát kẻng" once however often pressed, the members told through the
outbox as from chat, the live count, "Đã an toàn" once; audited with origin "web"; nobody
but an officer of the commune sounds, sees or ends it."""

from __future__ import annotations

import json

from aiohttp.test_utils import TestClient

from bot.clock import FakeClock
from bot.delivery import OutMessage
from bot.services.container import Services
from bot.store import Store
from tests.test_alarm import add_member
from tests.test_web_console import (  # noqa: F401 (fixtures)
    cast,
    client,
    config_extra,
    cookies,
    services,
)
from tests.web_kit import COOKIE, People, csrf_in, session_of, token_in


async def members(store: Store) -> None:
    await add_member(store, "hn-01", 4201, "Lê Văn An")
    await add_member(store, "hn-01", 4202, "Phạm Thị Bảo")


async def raised(store: Store) -> list[dict[str, object]]:
    return [json.loads(e.detail) for e in await store.audit.entries()
            if e.action == "alarm.raised"]


async def test_an_officer_sounds_the_gong_once_sees_the_count_and_ends_it(
    client: TestClient, services: Services, store: Store, cast: People,
) -> None:
    await members(store)
    team = await store.areas.team_by_join_code("HN01")
    assert team is not None
    jar = {COOKIE: await session_of(services, cast.officer)}
    page = await (await client.get("/gong", cookies=jar)).text()
    assert 'href="/gong" aria-current="page"' in page
    assert "Toàn xã (Xã Hưng Lộc)" in page and f'value="team:{team.id}"' not in page
    hamlet = await store.areas.hamlet(team.hamlet_id or 0)
    assert hamlet is not None and f'value="hamlet:{hamlet.id}"' in page
    form = {"csrf": csrf_in(page), "token": token_in(page), "scope": f"hamlet:{hamlet.id}",
            "kind": "trom", "note": "Hai người lạ trèo tường nhà ông Tư"}
    forged = await client.post("/gong", cookies=jar, data={**form, "csrf": "x"},
                               allow_redirects=False)
    assert forged.status == 403 and await raised(store) == []

    first = await client.post("/gong", cookies=jar, data=form, allow_redirects=False)
    assert first.status == 303
    location = first.headers["Location"]
    again = await client.post("/gong", cookies=jar, data=form, allow_redirects=False)
    assert again.headers["Location"] == location  # the same gong: sounded once
    [audited] = await raised(store)
    assert audited["origin"] == "web" and audited["scope"] == f"hamlet:{hamlet.id}"
    alarm_id = int(location.rsplit("/", 1)[1])
    sent = [b for b in await store.broadcasts.recent(20) if b.origin == f"alarm:{alarm_id}"]
    assert len(sent) == 1
    assert "Hai người lạ trèo tường" in (OutMessage.from_json(sent[0].payload).text or "")
    told = {d.resident_id for d in await store.outbox.deliveries(sent[0].id)}
    an = await store.residents.by_telegram_id(4201)
    assert an is not None and an.id in told and cast.officer.id not in told

    result, _ = await services.alarms.answer(alarm_id, an, "coming")
    assert result.value == "recorded"
    shown = await (await client.get(location, cookies=jar)).text()
    assert "Lê Văn An" in shown and '<strong data-count="coming">1</strong>' in shown
    assert 'http-equiv="refresh"' in shown and f'action="/gong/{alarm_id}/end"' in shown

    ended = await client.post(f"/gong/{alarm_id}/end", cookies=jar,
                              data={"csrf": form["csrf"]}, allow_redirects=False)
    assert ended.headers["Location"] == f"/gong/{alarm_id}?done=ended"
    over = await client.post(f"/gong/{alarm_id}/end", cookies=jar,
                             data={"csrf": form["csrf"]}, allow_redirects=False)
    assert over.headers["Location"] == f"/gong/{alarm_id}?done=over"
    ends = [json.loads(e.detail) for e in await store.audit.entries("alarm", alarm_id)
            if e.action == "alarm.all_clear"]
    assert ends == [{"origin": "web"}]
    clear = [b for b in await store.broadcasts.recent(20)
             if b.origin == f"alarm:{alarm_id}:all-clear"]
    assert len(clear) == 1
    shown = await (await client.get(ended.headers["Location"], cookies=jar)).text()
    assert "Đã báo an toàn cho mọi người" in shown and "http-equiv" not in shown

    # who came: An said "Đang đến"; confirmed once, thanked through the outbox
    thank = f"/gong/{alarm_id}/thank/{an.id}"
    assert f'action="{thank}"' in shown and "Ai đã đến?" in shown
    forged = await client.post(thank, cookies=jar, data={"csrf": "x"}, allow_redirects=False)
    assert forged.status == 403
    for outcome in ("thanked", "not_thanked"):  # once
        done = await client.post(thank, cookies=jar, data={"csrf": form["csrf"]},
                                 allow_redirects=False)
        assert done.headers["Location"] == f"/gong/{alarm_id}?done={outcome}"
    thanks = [b for b in await store.broadcasts.recent(20)
              if b.origin == f"alarm:{alarm_id}:thanks"]
    assert len(thanks) == 1
    assert f'action="{thank}"' not in await (await client.get(
        f"/gong/{alarm_id}", cookies=jar)).text()


async def test_the_gong_s_rules_answer_in_vietnamese(
    client: TestClient, services: Services, store: Store, cast: People,
) -> None:
    await members(store)
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    jar = {COOKIE: await session_of(services, cast.officer)}
    page = await (await client.get("/gong", cookies=jar)).text()
    form = {"csrf": csrf_in(page), "token": token_in(page), "scope": f"commune:{commune.id}",
            "kind": "trom"}
    for changed, error in (({"kind": "ufo"}, "no_kind"), ({"note": "x" * 201}, "note_too_long"),
                           ({"scope": "commune:999"}, "stale"), ({"scope": "nonsense"}, "stale"),
                           ({"place": "đầu hẻm 12"}, "bad_place"),
                           ({"place": "95.1, 107.2"}, "bad_place")):
        answer = await client.post("/gong", cookies=jar, data={**form, **changed},
                                   allow_redirects=False)
        assert answer.headers["Location"] == f"/gong?error={error}", changed
    bad_token = await client.post("/gong", cookies=jar, data={**form, "token": "../x"},
                                  allow_redirects=False)
    assert bad_token.status == 403
    shown = await (await client.get("/gong?error=stale", cookies=jar)).text()
    assert "Bạn không đánh kẻng cho phạm vi này được nữa" in shown
    shown = await (await client.get("/gong?error=bad_place", cookies=jar)).text()
    assert "Không đọc được vị trí" in shown
    assert await raised(store) == []
    # a place typed as a map app copies it goes with the gong, as a location shared in chat
    placed = await client.post("/gong", cookies=jar, data={**form, "place": "10.9512, 107.1623"},
                               allow_redirects=False)
    alarm_id = int(placed.headers["Location"].rsplit("/", 1)[1])
    alarm = await services.alarms.get(alarm_id)
    assert alarm is not None and (alarm.latitude, alarm.longitude) == (10.9512, 107.1623)
    sent = [b for b in await store.broadcasts.recent(20) if b.origin == f"alarm:{alarm_id}"]
    assert sent and "maps.google.com/?q=10.951200,107.162300" in (
        OutMessage.from_json(sent[0].payload).text or "")


async def test_nobody_else_sounds_sees_or_ends_a_gong(
    client: TestClient, services: Services, store: Store, clock: FakeClock, cast: People,
) -> None:
    await members(store)
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    officer = {COOKIE: await session_of(services, cast.officer)}
    page = await (await client.get("/gong", cookies=officer)).text()
    sounded = await client.post("/gong", cookies=officer, allow_redirects=False, data={
        "csrf": csrf_in(page), "token": token_in(page), "scope": f"commune:{commune.id}",
        "kind": "trom"})
    alarm_id = int(sounded.headers["Location"].rsplit("/", 1)[1])
    for who, token in (await cookies(services, store, clock, cast)).items():
        jar = {COOKIE: token} if token else {}
        for method, path in (("GET", "/gong"), ("GET", f"/gong/{alarm_id}"),
                             ("POST", "/gong"), ("POST", f"/gong/{alarm_id}/end")):
            if who == "other commune" and method == "GET" and path == "/gong":
                continue
            answer = await client.request(method, path, cookies=jar, allow_redirects=False,
                                          data={"csrf": "csrf-x"})
            expected = (404 if method == "GET" else 403) if who == "other commune" else 401
            assert answer.status == expected, (who, method, path)
        if who == "other commune":
            mine = await (await client.get("/gong", cookies=jar)).text()
            assert f'/gong/{alarm_id}"' not in mine
            form = {"csrf": csrf_in(mine), "token": token_in(mine),
                    "scope": f"commune:{commune.id}", "kind": "trom"}
            stale = await client.post("/gong", cookies=jar, data=form, allow_redirects=False)
            assert stale.headers["Location"] == "/gong?error=stale"
            end = await client.post(f"/gong/{alarm_id}/end", cookies=jar,
                                    data={"csrf": form["csrf"]}, allow_redirects=False)
            assert end.status == 404
    assert len(await raised(store)) == 1
    alarm = await services.alarms.get(alarm_id)
    assert alarm is not None and alarm.state == "active"

# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""A team created and a leader appointed from the console (aiohttp's test client, a real
database), as /taoto and /totruong do in chat: only an officer of the commune, with the
form's token; once however often the form is sent; audited with origin "web"; the new leader
told through the outbox on their own messenger."""

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


async def appointed(store: Store, team_id: int, officer_id: int) -> list[tuple[int, str]]:
    """(leader, origin) of each appointment the officer made to the team, from the audit."""
    return [(detail["leader_resident_id"], detail.get("origin", "")) for detail in (
        json.loads(e.detail) for e in await store.audit.entries("team", team_id)
        if e.action == "role.leader" and e.actor_id == officer_id)]


async def test_an_officer_creates_a_team_once_and_its_join_code_is_shown(
    client: TestClient, services: Services, store: Store, cast: People,
) -> None:
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    hamlet = (await store.areas.hamlets(commune.id))[0]
    jar = {COOKIE: await session_of(services, cast.officer)}
    page = await (await client.get("/teams", cookies=jar)).text()
    assert 'action="/teams/new"' in page and f'<option value="{hamlet.id}">' in page
    form = {"csrf": csrf_in(page), "token": token_in(page), "hamlet": str(hamlet.id),
            "kind": "to-an-ninh-nhan-dan", "name": "  Tổ   an ninh chợ Hưng Lộc "}
    forged = await client.post("/teams/new", cookies=jar, data={**form, "csrf": "x"},
                               allow_redirects=False)
    assert forged.status == 403
    for changed, error in (({"name": "ab"}, "name"), ({"kind": "ufo"}, "choice"),
                           ({"hamlet": "999999"}, "choice"), ({"hamlet": "x"}, "choice")):
        answer = await client.post("/teams/new", cookies=jar, data={**form, **changed},
                                   allow_redirects=False)
        assert answer.headers["Location"] == f"/teams?error={error}#new", changed
    shown = await (await client.get("/teams?error=name", cookies=jar)).text()
    assert "Tên tổ cần ít nhất 3 ký tự." in shown

    first = await client.post("/teams/new", cookies=jar, data=form, allow_redirects=False)
    again = await client.post("/teams/new", cookies=jar, data=form, allow_redirects=False)
    assert first.status == 303 and again.headers["Location"] == first.headers["Location"]
    team_id = int(first.headers["Location"].split("/")[2].split("?")[0])
    team = await store.areas.team(team_id)
    assert team is not None and team.name == "Tổ an ninh chợ Hưng Lộc"
    assert team.hamlet_id == hamlet.id and team.kind == "to-an-ninh-nhan-dan"
    created = [json.loads(e.detail) for e in await store.audit.entries("team")
               if e.action == "team.created"]
    assert len(created) == 1 and created[0]["origin"] == "web"
    page = await (await client.get(first.headers["Location"], cookies=jar)).text()
    assert f"Người dân gửi mã tham gia {team.join_code} cho bot" in page


async def test_an_officer_appoints_a_member_leader_and_the_person_is_told(
    client: TestClient, services: Services, store: Store, cast: People,
) -> None:
    await add_member(store, "hn-01", 4301, "Võ Văn Tâm")
    tam = await store.residents.by_telegram_id(4301)
    team = await store.areas.team_by_join_code("HN01")
    assert tam is not None and team is not None
    jar = {COOKIE: await session_of(services, cast.officer)}
    page = await (await client.get(f"/teams/{team.id}", cookies=jar)).text()
    assert f'action="/teams/{team.id}/leader"' in page
    assert f'<option value="{tam.id}">Võ Văn Tâm</option>' in page
    form = {"csrf": csrf_in(page), "member": str(tam.id)}
    forged = await client.post(f"/teams/{team.id}/leader", cookies=jar,
                               data={**form, "csrf": "x"}, allow_redirects=False)
    assert forged.status == 403
    stranger = await client.post(f"/teams/{team.id}/leader", cookies=jar,
                                 data={**form, "member": str(cast.resident.id)},
                                 allow_redirects=False)
    assert stranger.headers["Location"] == f"/teams/{team.id}?done=not_member"

    for _ in range(2):
        done = await client.post(f"/teams/{team.id}/leader", cookies=jar, data=form,
                                 allow_redirects=False)
        assert done.headers["Location"] == f"/teams/{team.id}?done=leader"
    leader = await store.memberships.leader(team.id)
    assert leader is not None and leader.resident_id == tam.id
    assert await appointed(store, team.id, cast.officer.id) == [(tam.id, "web")]
    told = [b for b in await store.broadcasts.recent(20)
            if b.origin == f"team:{team.id}:leader:{tam.id}"]
    assert len(told) == 1
    assert "đã cử bạn làm tổ trưởng" in (OutMessage.from_json(told[0].payload).text or "")
    [delivery] = await store.outbox.deliveries(told[0].id)
    assert delivery.resident_id == tam.id
    page = await (await client.get(done.headers["Location"], cookies=jar)).text()
    assert "Đã đặt tổ trưởng" in page


async def test_nobody_else_creates_a_team_or_appoints_a_leader(
    client: TestClient, services: Services, store: Store, clock: FakeClock, cast: People,
) -> None:
    await add_member(store, "hn-01", 4301, "Võ Văn Tâm")
    tam = await store.residents.by_telegram_id(4301)
    team = await store.areas.team_by_join_code("HN01")
    assert tam is not None and team is not None and team.hamlet_id is not None
    before = await store.memberships.leader(team.id)
    audited = len(await store.audit.entries("team"))
    for who, token in (await cookies(services, store, clock, cast)).items():
        jar = {COOKIE: token} if token else {}
        data = {"csrf": "csrf-x", "token": "0" * 32, "member": str(tam.id),
                "hamlet": str(team.hamlet_id), "kind": "to-an-ninh-nhan-dan", "name": "Tổ lạ"}
        for path in ("/teams/new", f"/teams/{team.id}/leader"):
            answer = await client.post(path, cookies=jar, data=data, allow_redirects=False)
            assert answer.status == (403 if who == "other commune" else 401), (who, path)
        if who == "other commune":
            mine = await (await client.get("/teams", cookies=jar)).text()
            assert f'<option value="{team.hamlet_id}">' not in mine
            data["csrf"] = csrf_in(mine)
            made = await client.post("/teams/new", cookies=jar, data=data,
                                     allow_redirects=False)
            assert made.headers["Location"] == "/teams?error=choice#new"
            set_leader = await client.post(f"/teams/{team.id}/leader", cookies=jar,
                                           data=data, allow_redirects=False)
            assert set_leader.status == 404
    after = await store.memberships.leader(team.id)
    assert (after.resident_id if after else None) == (before.resident_id if before else None)
    assert len(await store.audit.entries("team")) == audited


async def test_an_officer_appoints_a_resident_by_the_phone_they_shared(
    client: TestClient, services: Services, store: Store, cast: People,
) -> None:
    """As `/totruong TEAM 0912…`: whoever of the commune sent that number to the bot, member
    or not; a number nobody shared, or one that is not a number, appoints nobody."""
    team = await store.areas.team_by_join_code("HN01")
    assert team is not None
    ha = await services.residents.set_phone(cast.resident, "0912 345 678")  # shared in /caidat
    jar = {COOKIE: await session_of(services, cast.officer)}
    page = await (await client.get(f"/teams/{team.id}", cookies=jar)).text()
    url, csrf = f"/teams/{team.id}/leader", csrf_in(page)
    assert 'name="phone"' in page
    for typed, outcome in (("số gì đây", "bad_phone"), ("0987 000 111", "no_phone")):
        answer = await client.post(url, cookies=jar, data={"csrf": csrf, "phone": typed},
                                   allow_redirects=False)
        assert answer.headers["Location"] == f"/teams/{team.id}?done={outcome}", typed
    shown = await (await client.get(f"/teams/{team.id}?done=no_phone", cookies=jar)).text()
    assert "Không có người dân nào trong xã đã gửi số điện thoại này" in shown
    for _ in range(2):  # told once
        done = await client.post(url, cookies=jar, data={"csrf": csrf, "phone": "+84912345678"},
                                 allow_redirects=False)
        assert done.headers["Location"] == f"/teams/{team.id}?done=leader"
    leader = await store.memberships.leader(team.id)
    assert leader is not None and leader.resident_id == ha.id
    assert await appointed(store, team.id, cast.officer.id) == [(ha.id, "web")]
    for _ in range(2):  # a Telegram id, as /totruong TEAM 123456789: appointed, told once
        done = await client.post(url, cookies=jar, data={"csrf": csrf, "phone": "5551234"},
                                 allow_redirects=False)
        assert done.headers["Location"] == f"/teams/{team.id}?done=leader"
    newcomer = await store.residents.by_telegram_id(5551234)
    assert newcomer is not None
    assert await appointed(store, team.id, cast.officer.id) == [(ha.id, "web"),
                                                                (newcomer.id, "web")]
    stranger = {COOKIE: await session_of(services, cast.stranger_officer)}
    refused = await client.post(url, cookies=stranger, data={"csrf": csrf, "phone": "0912345678"},
                                allow_redirects=False)
    assert refused.status in (403, 404)

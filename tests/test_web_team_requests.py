# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""Join requests decided on a team's page (aiohttp's test client, a real database): only an
officer of the team's commune, with the form's token, decides; once however many times it is
pressed; audited with origin "web"; the applicant told through the outbox as in chat."""

from __future__ import annotations

import json

from aiohttp.test_utils import TestClient

from bot.clock import FakeClock
from bot.delivery import OutMessage
from bot.models import Team
from bot.services.container import Services
from bot.store import Store
from tests.test_web_console import (  # noqa: F401 (fixtures)
    cast,
    client,
    config_extra,
    cookies,
    services,
)
from tests.web_kit import COOKIE, People, csrf_in, person, session_of


async def hn01(store: Store) -> Team:
    team = await store.areas.team_by_join_code("HN01")
    assert team is not None
    return team


async def csrf_of(client: TestClient, jar: dict[str, str], team: Team) -> str:
    return csrf_in(await (await client.get(f"/teams/{team.id}", cookies=jar)).text())


async def test_the_officer_approves_and_refuses_and_the_applicants_are_told(
    client: TestClient, services: Services, store: Store, cast: People,
) -> None:
    team = await hn01(store)
    mai = await person(services, services.config, 4101, "Trần Thị Mai")
    await services.teams.request_join(cast.resident, "HN01")
    await services.teams.request_join(mai, "HN01")
    jar = {COOKIE: await session_of(services, cast.officer)}
    page = await (await client.get(f"/teams/{team.id}", cookies=jar)).text()
    approve = f"/teams/{team.id}/requests/{cast.resident.id}/approve"
    assert f'action="{approve}"' in page and "Trần Thị Mai" in page
    csrf = await csrf_of(client, jar, team)
    forged = await client.post(approve, cookies=jar, data={"csrf": "x"}, allow_redirects=False)
    assert forged.status == 403
    assert (await store.memberships.get(team.id, cast.resident.id)).state == "pending"  # type: ignore[union-attr]

    done = await client.post(approve, cookies=jar, data={"csrf": csrf}, allow_redirects=False)
    assert done.status == 303 and done.headers["Location"] == f"/teams/{team.id}?done=approved"
    assert (await store.memberships.get(team.id, cast.resident.id)).state == "active"  # type: ignore[union-attr]
    again = await client.post(approve, cookies=jar, data={"csrf": csrf}, allow_redirects=False)
    assert again.headers["Location"].endswith("done=gone")  # decided once
    refused = await client.post(f"/teams/{team.id}/requests/{mai.id}/reject", cookies=jar,
                                data={"csrf": csrf}, allow_redirects=False)
    assert refused.headers["Location"].endswith("done=rejected")
    assert await store.memberships.get(team.id, mai.id) is None
    page = await (await client.get(refused.headers["Location"], cookies=jar)).text()
    assert "Đã từ chối yêu cầu" in page and "Không có yêu cầu nào chờ duyệt" in page

    decisions = [(e.action, e.actor_id, json.loads(e.detail))
                 for e in await store.audit.entries("team", team.id)
                 if e.action in ("team.approved", "team.rejected")]
    assert decisions == [
        ("team.approved", cast.officer.id, {"origin": "web", "resident_id": cast.resident.id}),
        ("team.rejected", cast.officer.id, {"origin": "web", "resident_id": mai.id})]
    told = {}
    for broadcast in await store.broadcasts.recent(20):
        if broadcast.origin.startswith(f"join:{team.id}:"):
            [delivery] = await store.outbox.deliveries(broadcast.id)
            told[delivery.resident_id] = OutMessage.from_json(broadcast.payload).text
    assert told == {
        cast.resident.id: "🎉 Công an xã đã duyệt. Bạn là thành viên của "
                          "<b>Tổ an ninh nhân dân số 1</b>.",
        mai.id: "Yêu cầu tham gia <b>Tổ an ninh nhân dân số 1</b> của bạn không được duyệt."}


async def test_nobody_else_decides_a_team_s_requests(
    client: TestClient, services: Services, store: Store, clock: FakeClock, cast: People,
) -> None:
    team = await hn01(store)
    await services.teams.request_join(cast.resident, "HN01")
    approve = f"/teams/{team.id}/requests/{cast.resident.id}/approve"
    for who, token in (await cookies(services, store, clock, cast)).items():
        jar = {COOKIE: token} if token else {}
        answer = await client.post(approve, cookies=jar, data={"csrf": "csrf-x"},
                                   allow_redirects=False)
        if who == "other commune":
            assert answer.status == 403, who  # not their session's token
            csrf = csrf_in(await (await client.get("/teams", cookies=jar)).text())
            answer = await client.post(approve, cookies=jar, data={"csrf": csrf},
                                       allow_redirects=False)
            assert answer.status == 404, who  # another commune's team
        else:
            assert answer.status == 401, who
    for path in (f"/teams/{team.id}/requests/x/approve", f"/teams/{team.id}/requests/1/keep",
                 f"/teams/999999/requests/{cast.resident.id}/approve"):
        jar = {COOKIE: await session_of(services, cast.officer)}
        csrf = await csrf_of(client, jar, team)
        answer = await client.post(path, cookies=jar, data={"csrf": csrf},
                                   allow_redirects=False)
        assert answer.status == 404, path
    assert (await store.memberships.get(team.id, cast.resident.id)).state == "pending"  # type: ignore[union-attr]
    assert [e for e in await store.audit.entries("team", team.id)
            if e.action in ("team.approved", "team.rejected")] == []

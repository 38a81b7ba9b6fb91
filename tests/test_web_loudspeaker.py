# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""The loudspeaker's campaigns and live progress (aiohttp's test client, a real database,
the delivery engine with a fake sender): campaigns aimed at the commune with their next
slots, paused and resumed through the same service as /lichphat (audited "web"), previewed;
nothing of it for another commune's officer or without the form's token; a broadcast's
sent / total per messenger reaching an open page as the engine records it."""

from __future__ import annotations

import asyncio
import json

from aiohttp.test_utils import TestClient

from bot.clock import FakeClock
from bot.models import Audience
from bot.services.container import Services
from bot.store import Store
from tests.delivery_kit import FakeSender
from tests.test_web_console import (  # noqa: F401 (fixtures)
    cast,
    client,
    config_extra,
    cookies,
    services,
)
from tests.web_kit import COOKIE, People, csrf_in, session_of

TET = "phong-chong-trom-tet"


async def form_token(client: TestClient, jar: dict[str, str]) -> str:
    return csrf_in(await (await client.get("/loudspeaker", cookies=jar)).text())


async def test_the_campaigns_with_their_next_slots_paused_resumed_and_previewed(
    client: TestClient, services: Services, store: Store, cast: People,
) -> None:
    jar = {COOKIE: await session_of(services, cast.officer)}
    page = await (await client.get("/loudspeaker", cookies=jar)).text()
    assert "Chiến dịch tuyên truyền" in page and "Phòng chống trộm cắp dịp Tết" in page
    # valid from 1 December, on Saturdays at 19:00 (the clock: Tuesday 24 November 2026)
    assert "19:00 05/12/2026, 19:00 12/12/2026, 19:00 19/12/2026" in page
    assert "09:00 30/11/2026, 09:00 07/12/2026, 09:00 14/12/2026" in page  # Mondays, 15th
    csrf = await form_token(client, jar)
    forged = await client.post(f"/loudspeaker/campaigns/{TET}/pause", cookies=jar,
                               data={"csrf": "forged"}, allow_redirects=False)
    assert forged.status == 403 and await store.schedules.paused() == set()
    paused = await client.post(f"/loudspeaker/campaigns/{TET}/pause", cookies=jar,
                               data={"csrf": csrf}, allow_redirects=False)
    assert paused.status == 303 and "done=campaign_paused" in paused.headers["Location"]
    assert await store.schedules.paused() == {TET}
    page = await (await client.get(paused.headers["Location"], cookies=jar)).text()
    assert "Đã tạm dừng chiến dịch" in page and "đang tạm dừng" in page
    assert f'action="/loudspeaker/campaigns/{TET}/resume"' in page
    [entry] = await store.audit.entries("campaign")
    assert entry.action == "campaign.pause" and entry.actor_id == cast.officer.id
    assert json.loads(entry.detail) == {"campaign": TET, "origin": "web"}
    preview = await client.get(f"/loudspeaker/campaigns/{TET}", cookies=jar)
    body = await preview.text()
    assert preview.status == 200 and "Tết an toàn — phòng chống trộm cắp" in body
    assert "<b>" not in body.split("preview")[-1]  # as residents read it, not its markup
    assert "Đi về quê ăn Tết nhiều ngày" in body  # its quiz
    resumed = await client.post(f"/loudspeaker/campaigns/{TET}/resume", cookies=jar,
                                data={"csrf": csrf}, allow_redirects=False)
    assert "done=campaign_resumed" in resumed.headers["Location"]
    assert await store.schedules.paused() == set()
    unknown = await client.get("/loudspeaker/campaigns/no-such-thing", cookies=jar)
    assert unknown.status == 404


async def test_nobody_else_sees_or_pauses_the_commune_s_campaigns(
    client: TestClient, services: Services, store: Store, clock: FakeClock, cast: People,
) -> None:
    for who, token in (await cookies(services, store, clock, cast)).items():
        jar = {COOKIE: token} if token else {}
        preview = await client.get(f"/loudspeaker/campaigns/{TET}", cookies=jar)
        pause = await client.post(f"/loudspeaker/campaigns/{TET}/pause", cookies=jar,
                                  data={"csrf": "csrf-x"}, allow_redirects=False)
        if who == "other commune":
            assert preview.status == 404 and pause.status == 403, who  # no CSRF of theirs
            csrf = await form_token(client, jar)
            pause = await client.post(f"/loudspeaker/campaigns/{TET}/pause", cookies=jar,
                                      data={"csrf": csrf}, allow_redirects=False)
            assert pause.status == 404
            page = await (await client.get("/loudspeaker", cookies=jar)).text()
            assert "Phòng chống trộm cắp dịp Tết" not in page
        else:
            assert preview.status == 401 and pause.status == 401, who
        assert "Tết an toàn" not in await preview.text()
    assert await store.schedules.paused() == set()
    assert await store.audit.entries("campaign") == []


async def test_a_broadcast_s_progress_reaches_the_open_page_as_it_goes_out(
    client: TestClient, services: Services, store: Store, cast: People,
) -> None:
    jar = {COOKIE: await session_of(services, cast.officer)}
    csrf = await form_token(client, jar)
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    sender = FakeSender()
    sender.gate, sender.after_sends = asyncio.Event(), 1  # the first goes, the rest wait
    await services.delivery.start({"telegram": sender}, services.broadcasts.describe)
    try:
        async with client.get("/live?broadcasts=", cookies=jar) as stream:
            assert await stream.content.readuntil(b"\n\n") == b"retry: 3000\n\n"
            sent = await client.post("/loudspeaker/send", cookies=jar, allow_redirects=False,
                                     data={"csrf": csrf, "commune": str(commune.id),
                                           "text": "Cúp điện từ 13:00"})
            assert "done=sent" in sent.headers["Location"]

            async def next_progress() -> dict[str, object]:
                while True:
                    event = await asyncio.wait_for(stream.content.readuntil(b"\n\n"), 10)
                    if event.startswith(b"event: broadcast\n"):
                        data: dict[str, object] = json.loads(event.split(b"data: ", 1)[1])
                        return data

            first = await next_progress()
            assert first["state"] == "queued" and first["state_label"] == "đang gửi"
            assert first["channels"] == [{"channel": "telegram", "label": "Telegram",
                                          "sent": 1, "total": first["total"], "failed": 0}]
            total = first["total"]
            assert isinstance(total, int) and total >= 2  # the commune's people
            sender.gate.set()
            last = first
            while last["state"] != "done":
                last = await next_progress()
            assert last["sent"] == total and last["state_label"] == "đã gửi xong"
        page = await (await client.get("/loudspeaker", cookies=jar)).text()
        assert f"Telegram: <strong>{total}/{total}</strong>" in page
    finally:
        await services.delivery.stop()


async def test_a_page_s_stream_starts_with_the_state_of_the_broadcasts_it_shows(
    client: TestClient, services: Services, store: Store, cast: People,
) -> None:
    """What went out between the page's rendering and its stream's start is not missed."""
    jar = {COOKIE: await session_of(services, cast.officer)}
    csrf = await form_token(client, jar)
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    await client.post("/loudspeaker/send", cookies=jar, allow_redirects=False, data={
        "csrf": csrf, "commune": str(commune.id), "text": "Cúp điện từ 13:00"})
    [broadcast] = [b for b in await store.broadcasts.recent(10) if b.origin == "web"]
    page = await (await client.get("/loudspeaker", cookies=jar)).text()
    assert f'data-progress="/live?broadcasts={broadcast.id}"' in page  # still going
    stranger = {COOKIE: await session_of(services, cast.stranger_officer)}
    async with client.get(f"/live?broadcasts={broadcast.id},x,99", cookies=stranger) as stream:
        assert await stream.content.readuntil(b"\n\n") == b"retry: 3000\n\n"
        assert b"broadcast" not in stream.content.read_nowait()  # not their commune's
    async with client.get(f"/live?broadcasts={broadcast.id},x,99", cookies=jar) as stream:
        assert await stream.content.readuntil(b"\n\n") == b"retry: 3000\n\n"
        event = await asyncio.wait_for(stream.content.readuntil(b"\n\n"), 10)
        data = json.loads(event.split(b"data: ", 1)[1])
        assert data["id"] == broadcast.id and data["state"] == "queued"
        assert data["sent"] == 0 and data["total"] >= 2


async def test_the_compose_form_says_how_many_it_reaches_on_each_messenger(
    client: TestClient, services: Services, store: Store, cast: People,
) -> None:
    """The whole commune at first, then what the choices so far reach (asked as they change);
    only for an officer who may announce to that commune."""
    commune = await store.areas.commune_by_code("hung-loc")
    hamlet = await store.areas.hamlet_by_code(commune.id, "hung-hiep") if commune else None
    assert commune is not None and hamlet is not None
    lan = await services.residents.ensure_account("zalo", "z-lan", opened=True)
    lan = await services.residents.give_consent(lan, "v1", "Lan", "vi")
    async with store.db.transaction() as tx:
        await store.residents.update(tx, lan.id, commune_id=commune.id, hamlet_id=hamlet.id)
    jar = {COOKIE: await session_of(services, cast.officer)}
    page = await (await client.get("/loudspeaker", cookies=jar)).text()
    everyone = await services.broadcasts.reach(Audience(commune.id))
    assert everyone["zalo"] == 1 and everyone["telegram"] >= 1
    line = page[page.index('id="reach"'):page.index("</p>", page.index('id="reach"'))]
    assert f"Sẽ tới {sum(everyone.values())} người" in line and "Zalo (Bot): 1" in line
    answer = await client.get(f"/loudspeaker/reach?commune={commune.id}&hamlet={hamlet.id}",
                              cookies=jar)
    assert answer.status == 200
    assert await answer.json() == {"total": 1, "text": "Sẽ tới 1 người", "channels": [
        {"channel": "zalo", "label": "Zalo (Bot)", "count": 1}]}
    stranger = {COOKIE: await session_of(services, cast.stranger_officer)}
    assert (await client.get(f"/loudspeaker/reach?commune={commune.id}",
                             cookies=stranger)).status == 404


async def test_an_announcement_with_a_photo_is_composed_in_the_console(
    client: TestClient, services: Services, store: Store, cast: People,
) -> None:
    """The photo is kept in the media store and goes with the text as its caption, as a photo
    sent to /thongbao does; a file that is not a JPEG or PNG is refused and nothing is sent."""
    from aiohttp import FormData

    from bot.sending import OutMessage
    from tests.web_kit import JPEG

    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    jar = {COOKIE: await session_of(services, cast.officer)}
    csrf = csrf_in(await (await client.get("/loudspeaker", cookies=jar)).text())

    def form(data: bytes, name: str) -> FormData:
        sent = FormData()
        sent.add_field("csrf", csrf)
        sent.add_field("commune", str(commune.id))
        sent.add_field("text", "Đối tượng trộm chó, ai thấy báo công an xã")
        sent.add_field("photo", data, filename=name, content_type="image/jpeg")
        return sent

    refused = await client.post("/loudspeaker/send", cookies=jar,
                                data=form(b"%PDF-1.4 not a photo", "a.jpg"),
                                allow_redirects=False)
    assert "done=not_a_photo" in refused.headers["Location"]
    assert await store.broadcasts.recent(5) == []
    sent = await client.post("/loudspeaker/send", cookies=jar, data=form(JPEG, "cho.jpg"),
                             allow_redirects=False)
    assert "done=sent" in sent.headers["Location"]
    [broadcast] = await store.broadcasts.recent(5)
    message = OutMessage.from_json(broadcast.payload)
    assert message.photo_path is not None and "trộm chó" in message.text
    with open(message.photo_path, "rb") as kept:  # noqa: ASYNC230 (a small file)
        assert kept.read() == JPEG

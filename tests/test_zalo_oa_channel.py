"""A follower of the commune police's Zalo Official Account, through the real bot and the OA
emulator: onboarding on follow, a report with a shared location and a photo, the officer's
decision on Telegram told back on the OA; signed webhooks (a forged one changes nothing),
an event posted twice acted on once, tokens renewed once when Zalo refuses them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.app import ZALO_OA_KEY
from bot.catalog import Catalog
from bot.channels.zalo_oa.channel import ZaloOaChannel
from bot.channels.zalo_oa.client import TokenPair
from bot.channels.zalo_oa.tokens import store_pair
from bot.clock import FakeClock
from bot.config import Config
from bot.context import AnninhApp
from bot.sandbox import SimGroup, SimUser
from bot.sandbox.zalo_oa import DEFAULT_OA, OaSandbox, SimOaUser
from bot.services.areas import load_areas, parse_areas
from bot.store import Store
from tests.helpers import free_port, services_of
from tests.test_zalo_oa_tokens import areas_with_oa

PORT = free_port()


@pytest.fixture
async def oa() -> AsyncIterator[OaSandbox]:
    async with OaSandbox() as emulator:
        emulator.webhook_url = f"http://127.0.0.1:{PORT}/zalo/oa/events"
        yield emulator


@pytest.fixture
def config_extra(oa: OaSandbox, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ZALO_APP_SECRET", oa.app_secret)
    monkeypatch.setenv("ZALO_OA_SECRET_KEY", oa.oa_secret)
    return (f'[zalo_oa]\napp_id = "{oa.app_id}"\napi_base_url = "{oa.base_url}"\n'
            f'oauth_base_url = "{oa.base_url}"\nwebhook_port = {PORT}\n')


@pytest.fixture
async def connected(oa: OaSandbox, store: Store, config: Config, clock: FakeClock,
                    tmp_path: Path) -> OaSandbox:
    """The sample commune names the emulator's OA, whose tokens the bot has."""
    catalog = Catalog.load(config.content.folder)
    await load_areas(store, parse_areas(areas_with_oa(tmp_path), catalog), "test")
    pair = oa.issue_tokens()
    await store_pair(store.zalo_oa, clock, DEFAULT_OA,
                     TokenPair(str(pair["access_token"]), str(pair["refresh_token"]), 90_000))
    return oa


async def onboard_on_oa(person: SimOaUser) -> None:
    """Follow the OA; consent by its button, the hamlet by number, no groups."""
    person.follow()
    consent = await person.wait_for("Đồng ý xử lý dữ liệu cá nhân")
    assert "Đồng ý" in [title.split(" ", 1)[-1] for title in person.buttons()]
    assert "1. " in consent.text  # the numbered lines are there too
    await person.press("Đồng ý")
    await person.wait_for("ấp")
    await person.choose("Ấp Hưng Nhơn")
    await person.wait_for("nhóm")
    await person.choose("Xong")  # more choices than buttons: numbered lines only
    await person.wait_for("Cảm ơn bạn")


async def to_the_photos(person: SimOaUser, what: str) -> None:
    """Start a report (theft, `what`, a place shared from Zalo) up to the photo question."""
    await person.send("bao tin")
    await person.wait_for("Sự việc thuộc loại nào")
    await person.choose("Trộm cắp")
    await person.wait_for("chuyện gì đã xảy ra")
    await person.send(what)
    await person.wait_for("ở đâu")
    await person.send_location(10.951, 107.162, "Nhà văn hóa ấp Hưng Nhơn")
    await person.wait_for("Bạn có ảnh không")


async def send_named(person: SimOaUser) -> str:
    """No more photos: the report sent with the person's name; its code (TB-…)."""
    await person.choose("Xong", by="label")
    await person.wait_for("Bạn muốn gửi tin thế nào")
    await person.press("Gửi kèm tên")
    await person.wait_for("Kiểm tra lại")
    await person.press("Gửi")
    sent = await person.wait_for("Đã gửi tin báo")
    return next(word for word in sent.text.split() if word.startswith("TB-")).rstrip(".")


async def test_a_follower_reports_with_a_place_and_a_photo_and_hears_the_decision(
    connected: OaSandbox, staff_group: SimGroup, officer: SimUser, store: Store,
    bot: AnninhApp,
) -> None:
    lan = connected.user(1, "Lan", followed=False)
    await onboard_on_oa(lan)
    await to_the_photos(lan, "Mất xe máy trước nhà văn hóa ấp")
    picture = b"\xff\xd8\xff\xe0 a photo from Zalo OA"
    await lan.send_image(picture)
    await lan.wait_for("Đã nhận ảnh 1")
    code = await send_named(lan)
    card = await staff_group.wait_for(code)
    assert "Mất xe máy" in card.text
    assert "Lan" in card.text  # her name from Zalo's profile call, asked once
    assert connected.stats.calls.count("user/detail") == 1
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.latitude == pytest.approx(10.951)
    assert report.longitude == pytest.approx(107.162)
    [photo] = await store.reports.photos(report.id)
    assert await services_of(bot).media.files.read(photo.media_key or "") == picture
    await officer.press("Tiếp nhận", chat=staff_group)
    told = await lan.wait_for("đã được công an xã tiếp nhận")
    assert code in told.text
    account = await store.accounts.get("zalo_oa", lan.id)
    assert account is not None and account.resident_id == report.reporter_id


async def test_a_forged_event_is_refused_and_changes_nothing(
    connected: OaSandbox, store: Store, bot: AnninhApp,
) -> None:
    mai = connected.user(2, "Mai")  # following: posted by hand below, outside the queue
    event = {"app_id": connected.app_id, "event_name": "follow", "timestamp": "1700000000000",
             "oa_id": DEFAULT_OA, "follower": {"id": mai.id}}
    connected.forge_signatures()
    assert await connected.post_event(event) == 401
    async with aiohttp.ClientSession() as session, session.post(
            connected.webhook_url, json=event) as answer:  # unsigned
        assert answer.status == 401
    connected.forge_signatures(False)
    assert await store.accounts.get("zalo_oa", mai.id) is None
    assert mai.messages == []
    assert await connected.post_event(event) == 200  # the same, signed: taken
    await mai.wait_for("Đồng ý xử lý dữ liệu cá nhân")


async def test_an_event_posted_twice_is_acted_on_once(
    connected: OaSandbox, bot: AnninhApp,
) -> None:
    hoa = connected.user(3, "Hoa", followed=False)
    await onboard_on_oa(hoa)
    connected.duplicate_next()
    await hoa.send("menu")
    await hoa.wait_for("Bạn muốn làm gì")
    await hoa.send("trợ giúp")
    await hoa.wait_for("/baotin")
    assert len([m for m in hoa.messages if "Bạn muốn làm gì" in m.text]) == 1


async def test_an_expired_token_is_renewed_once_and_the_reply_sent(
    connected: OaSandbox, bot: AnninhApp,
) -> None:
    binh = connected.user(4, "Bình", followed=False)
    await onboard_on_oa(binh)
    connected.expired_code = -220
    connected.expire_access_tokens()
    await binh.send("menu")
    await binh.wait_for("Bạn muốn làm gì")
    await binh.send("trợ giúp")
    await binh.wait_for("/baotin")
    assert connected.stats.refreshes == 1 and connected.stats.reused_refresh_tokens == 0
    assert connected.stats.expired_tokens == 1


async def test_an_unfollow_stops_deliveries(
    connected: OaSandbox, store: Store, bot: AnninhApp,
) -> None:
    an = connected.user(5, "An", followed=False)
    await onboard_on_oa(an)
    account = await store.accounts.get("zalo_oa", an.id)
    assert account is not None and account.unreachable_at is None
    an.unfollow()
    await connected.drained()
    channel: ZaloOaChannel = bot.bot_data[ZALO_OA_KEY]
    await channel.idle()
    account = await store.accounts.get("zalo_oa", an.id)
    assert account is not None and account.unreachable_at is not None
    person = await store.residents.get(account.resident_id)
    assert person is not None and person.unreachable_at is not None  # out of every audience

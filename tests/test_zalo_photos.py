"""Photos reach a person on Zalo with their picture when `[web] public_url` is set: a report's
photos after its card's private copy, a photo relayed between an officer and the reporter, a
campaign's photo. Zalo takes photos only by URL: each goes by an address of anninh's web
server, which serves the very bytes kept in the media store (content-addressed: the SHA-256
of what it serves is the key it was kept under)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.clock import FakeClock
from bot.config import Config, ContentConfig
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.sandbox.people import fake_jpeg
from bot.sandbox.zalo import ZaloSandbox
from bot.sandbox.zalo.views import ZaloBotMessage
from bot.store import Store
from tests.helpers import copy_content, free_port, onboard_on_zalo, services_of
from tests.test_relays import _photo
from tests.test_triage import _reported
from tests.test_zalo_resident import file_on_zalo
from tests.test_zalo_triage import zalo_staff

PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# The campaign's photo, a content file: a PNG (as the shipped campaigns' may be).
PHOTO = (ContentConfig().folder / "campaigns" / "phong-chay.png").read_bytes()
CAMPAIGN = """+++
id = "khoa-cua"
title = "Khóa cửa trước khi ra đồng"
schedule = ["0 19 * * *"]
audience = { commune = "hung-loc" }
photo = "khoa-cua.png"
+++
Ra đồng nhớ khóa cửa, cất xe vào nhà.
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = copy_content(tmp_path)
    (folder / "campaigns" / "khoa-cua.md").write_text(CAMPAIGN, encoding="utf-8")
    (folder / "campaigns" / "khoa-cua.png").write_bytes(PHOTO)
    return folder


@pytest.fixture
def config_extra(zalo_config: str, content: Path) -> str:
    return (zalo_config + '\n[broadcast]\nquiet_hours = ""\n'
            f'\n[web]\nport = {PORT}\npublic_url = "{BASE}"\n'
            f'\n[content]\nfolder = "{content}"\n')


async def served(message: ZaloBotMessage, content_type: str = "image/jpeg") -> str:
    """The SHA-256 of what the web server serves at the photo's address (a kept file's key),
    served as what it is."""
    assert message.kind == "photo" and message.photo_url is not None, message
    assert message.photo_url.startswith(f"{BASE}/media/")
    async with aiohttp.ClientSession() as session, session.get(message.photo_url) as answer:
        assert answer.status == 200
        assert answer.headers["Content-Type"] == content_type
        body = await answer.read()
    return hashlib.sha256(body).hexdigest()


async def test_a_zalo_officer_gets_the_report_s_photos_after_its_card(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path,
    staff_group: SimGroup, bot: AnninhApp,
) -> None:
    (hai,) = await zalo_staff(zalo, store, config, tmp_path)
    _, code = await _reported(sandbox, staff_group, 3611, photos=2)
    card = await hai.wait_for("Tin báo " + code)
    assert "Ảnh: 2" in card.text and card.kind == "text"
    first = await hai.wait_for(f"Ảnh 1/2 của tin {code}")
    second = await hai.wait_for(f"Ảnh 2/2 của tin {code}")
    report = await store.reports.get(int(code[3:]))
    assert report is not None
    kept = {photo.media_key for photo in await store.reports.photos(report.id)}
    assert {await served(first), await served(second)} == kept
    await services_of(bot).delivery.ledger.flush()
    sent = [d for b in await store.broadcasts.by_origin(f"card-photo:{report.id}")
            for d in await store.outbox.deliveries(b.id)]
    assert [(d.channel, d.state, d.last_error) for d in sent] == [("zalo", "sent", None)] * 2


async def test_a_reporter_who_deletes_their_data_takes_the_photos_out_of_the_copies_too(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path,
    staff_group: SimGroup, bot: AnninhApp,
) -> None:
    (hai,) = await zalo_staff(zalo, store, config, tmp_path)
    lan, code = await _reported(sandbox, staff_group, 3612, photos=1)
    photo = await hai.wait_for(f"Ảnh 1/1 của tin {code}")
    key = await served(photo)
    await lan.command("xoadulieu")
    await lan.wait_for("Xóa dữ liệu của bạn?")
    await lan.press("Xóa")
    await lan.wait_for("Đã xóa dữ liệu của bạn")
    payloads = await store.db.fetchall("SELECT payload FROM broadcasts")
    assert not [row for row in payloads if key in row[0]]
    async with aiohttp.ClientSession() as session, session.get(photo.photo_url or "") as answer:
        assert answer.status == 404  # the file went with her data


async def test_an_officer_s_photo_reaches_the_reporter_on_zalo(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, staff_group: SimGroup, officer: SimUser,
    bot: AnninhApp,
) -> None:
    an = zalo.user(7, "An")
    await onboard_on_zalo(an)
    code = await file_on_zalo(an, "Mất xe đạp ở cổng trường")
    card = await staff_group.wait_for(code)
    staff_group.post(officer, {"photo": _photo(sandbox), "caption": "Có phải xe này không?",
                               **staff_group.reply_fields(card)})
    got = await an.wait_for("Có phải xe này không?")
    assert code in got.text
    (kept,) = await store.db.fetchall(
        "SELECT media_key FROM report_messages WHERE author = 'officer'")
    assert await served(got) == kept[0]
    await staff_group.wait_for("Đã chuyển cho người báo")


@pytest.mark.parametrize("group", [False, True])
async def test_a_photo_a_reporter_adds_on_zalo_reaches_the_officers_with_its_picture(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path,
    staff_group: SimGroup, bot: AnninhApp, group: bool,
) -> None:
    """Without a staff group, to each officer privately (one on Zalo); with one, into the
    group on Telegram, uploaded from the media store."""
    (hai,) = await zalo_staff(zalo, store, config, tmp_path, group=group)
    an = zalo.user(7, "An")
    await onboard_on_zalo(an)
    code = await file_on_zalo(an, "Mất xe đạp ở cổng trường")
    await an.send("tin đã báo")
    await an.wait_for("Tin bạn đã báo")
    await an.choose(f"Bổ sung {code}")
    await an.wait_for("Gõ thông tin bổ sung")
    data = fake_jpeg(1280, 960, 30_000, 7)
    await an.send_photo("Xe màu xanh", data=data)
    key = hashlib.sha256(data).hexdigest()
    if group:
        added = await staff_group.wait_for("Xe màu xanh")
        assert added.kind == "photo" and code in added.text
        uploaded = sandbox.world.files[added.raw["photo"][-1]["file_id"]]
        assert hashlib.sha256(uploaded.data).hexdigest() == key
        return
    added_on_zalo = await hai.wait_for("Xe màu xanh")
    assert code in added_on_zalo.text and await served(added_on_zalo) == key


async def test_a_campaign_s_photo_reaches_zalo_from_the_media_store(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path,
    bot: AnninhApp, clock: FakeClock,
) -> None:
    """The photo, a file beside the campaign, is put into the media store when the campaign
    is sent, so the web server serves it like any kept photo; the officer's preview on Zalo
    shows it too."""
    (hai,) = await zalo_staff(zalo, store, config, tmp_path)
    hoa = zalo.user(51, "Hoa")
    await onboard_on_zalo(hoa)
    clock.set(datetime(2026, 11, 27, 19, 0, tzinfo=TZ).astimezone(UTC))
    result = await services_of(bot).scheduler.tick(clock.now())
    assert "campaign:khoa-cua" in [source for source, _ in result.sent]
    got = await hoa.wait_for("Ra đồng nhớ khóa cửa", timeout=10)
    key = hashlib.sha256(PHOTO).hexdigest()
    assert await served(got, "image/png") == key
    assert services_of(bot).media.files.exists(key)

    await hai.send("lich phat")
    await hai.wait_for("Lịch phát tuyên truyền")
    await hai.choose("Xem trước: Khóa cửa")
    preview = await hai.wait_for("Ra đồng nhớ khóa cửa")
    assert await served(preview, "image/png") == key

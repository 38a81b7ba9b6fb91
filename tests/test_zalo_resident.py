"""A resident on the Zalo Bot Platform, through the real bot: what only Zalo has — numbered
choices answered by number or by words, keywords, a typed landmark, a photo downloaded at once,
duplicate updates, cancel words. (The stories that are the same on Telegram:
tests/test_resident_stories.py, run on both channels.)"""

from __future__ import annotations

import pytest

from bot.context import AnninhApp
from bot.sandbox import SimGroup
from bot.sandbox.zalo import SimZaloUser, ZaloSandbox
from bot.store import Store
from tests.helpers import onboard_on_zalo, services_of


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config


async def test_a_zalo_resident_onboards_and_files_a_report_the_officers_see(
    zalo: ZaloSandbox, staff_group: SimGroup, store: Store, bot: AnninhApp,
) -> None:
    lan = zalo.user(1, "Lan")
    await onboard_on_zalo(lan)
    await lan.send("báo tin")  # a keyword, without slash or accents mattering
    ask = await lan.wait_for("Báo tin cho công an xã")
    assert "1. " in ask.text and "Trộm cắp" in ask.text  # choices as numbered lines
    await lan.choose("Trộm cắp")
    await lan.wait_for("chuyện gì đã xảy ra")
    await lan.send("Mất xe máy trước nhà văn hóa ấp")
    ask = await lan.wait_for("ở đâu")
    assert "Gửi vị trí" not in ask.text  # no location button to point at on Zalo
    await lan.send("cổng chợ Hưng Nhơn")  # a typed landmark: Zalo cannot share a location
    await lan.wait_for("Bạn có ảnh không")
    picture = b"\xff\xd8\xff\xe0 a Zalo photo of the scene"
    await lan.send_image(picture, caption="biển số 60B1")
    await lan.wait_for("Đã nhận ảnh 1")
    await lan.choose("Xong", by="label")
    await lan.wait_for("Bạn muốn gửi tin thế nào")
    await lan.send("2")  # a bare number answers the newest prompt: "Gửi kèm tên"
    summary = await lan.wait_for("Kiểm tra lại")
    assert "cổng chợ Hưng Nhơn" in summary.text and "<b>" not in summary.text
    await lan.choose("Gửi")
    sent = await lan.wait_for("Đã gửi tin báo")
    code = next(word for word in sent.text.split() if word.startswith("TB-"))
    card = await staff_group.wait_for(code)
    assert "Mất xe máy" in card.text and "60B1" in card.text
    report = await store.reports.get(int(code[3:].rstrip(".")))
    assert report is not None and not report.anonymous
    account = await store.accounts.get("zalo", lan.id)
    assert account is not None and account.resident_id == report.reporter_id
    [photo] = await store.reports.photos(report.id)  # downloaded from Zalo at once, kept
    assert photo.file_id is None and photo.media_key is not None
    services = services_of(bot)
    assert await services.media.files.read(photo.media_key) == picture


async def test_the_same_update_delivered_twice_is_taken_once(
    zalo: ZaloSandbox, bot: AnninhApp,
) -> None:
    hoa = zalo.user(3, "Hoa")
    await onboard_on_zalo(hoa)
    zalo.world.duplicate_pending = 1
    await hoa.send("menu")
    await hoa.wait_for("Bạn muốn làm gì")
    await hoa.send("trợ giúp")
    await hoa.wait_for("/baotin")
    menus = [m for m in hoa.messages if "Bạn muốn làm gì" in m.text]
    assert len(menus) == 1


async def test_cancel_words_commands_elsewhere_and_chatter_are_answered(
    zalo: ZaloSandbox, bot: AnninhApp,
) -> None:
    an = zalo.user(4, "An")
    await onboard_on_zalo(an)
    await an.send("Báo tin")
    await an.wait_for("Sự việc thuộc loại nào")
    await an.send("0")
    await an.wait_for("Đã hủy tin báo")
    await an.send("hủy")
    await an.wait_for("Không có thao tác nào")
    await an.send("bảng vàng")  # /bangvang, as words
    await an.wait_for("Bảng vàng Xã Hưng Lộc")
    await an.send("thống kê")  # /thongke: for officers only
    await an.wait_for("không có quyền")
    await an.send("tổ")  # /to
    await an.wait_for("Bạn chưa tham gia tổ nào")
    await an.send_sticker()
    await an.wait_for("113")
    await an.send("menu")
    await an.wait_for("Bạn muốn làm gì")
    await an.choose("Báo tin")
    await an.wait_for("Sự việc thuộc loại nào")


async def file_on_zalo(person: SimZaloUser, text: str) -> str:
    """The shortest report on Zalo (no place, no photo, named); its tracking code."""
    await person.send("báo tin")
    await person.wait_for("Sự việc thuộc loại nào")
    await person.choose("Trộm cắp")
    await person.wait_for("chuyện gì đã xảy ra")
    await person.send(text)
    await person.wait_for("ở đâu")
    await person.choose("Bỏ qua")
    await person.wait_for("Bạn có ảnh không")
    await person.choose("Bỏ qua")
    await person.wait_for("Bạn muốn gửi tin thế nào")
    await person.choose("Gửi kèm tên")
    await person.wait_for("Kiểm tra lại")
    await person.choose("Gửi")
    sent = await person.wait_for("Đã gửi tin báo")
    return next(word for word in sent.text.split() if word.startswith("TB-")).rstrip(".")


async def test_a_zalo_resident_lists_their_reports_and_adds_to_one(
    zalo: ZaloSandbox, staff_group: SimGroup, store: Store, bot: AnninhApp,
) -> None:
    an = zalo.user(7, "An")
    await onboard_on_zalo(an)
    code = await file_on_zalo(an, "Mất xe đạp ở cổng trường")
    await staff_group.wait_for(code)
    await an.send("tin đã báo")
    listing = await an.wait_for("Tin bạn đã báo")
    assert code in listing.text and "chờ tiếp nhận" in listing.text
    assert f"1. ➕ Bổ sung {code}" in listing.text and "<b>" not in listing.text
    await an.choose(f"Bổ sung {code}")  # its number: the list is still open
    await an.wait_for("Gõ thông tin bổ sung")
    await an.send("Xe màu xanh, có giỏ phía trước")
    saved = await an.wait_for("Đã lưu thông tin bổ sung")
    assert code in saved.text
    added = await staff_group.wait_for("Xe màu xanh")
    assert code in added.text and "An" in added.text
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "submitted"
    await an.send("tin da bao")
    await an.wait_for("Tin bạn đã báo")
    await an.send("cảm ơn")  # no choice: answered as a message outside any flow
    await an.wait_for("113")


async def test_a_message_that_breaks_something_is_answered_and_the_bot_goes_on(
    zalo: ZaloSandbox, bot: AnninhApp, monkeypatch: pytest.MonkeyPatch,
) -> None:
    residents = services_of(bot).residents
    real = residents.ensure_account
    failures = iter([RuntimeError("the database went away")])

    async def flaky(*args: object, **kwargs: object) -> object:
        for error in failures:
            raise error
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(residents, "ensure_account", flaky)
    vy = zalo.user(9, "Vy")
    await vy.send("xin chào")
    await vy.wait_for("Xin lỗi, đã có lỗi xảy ra")  # never silence
    await vy.send("xin chào")
    await vy.wait_for("Đồng ý xử lý dữ liệu cá nhân")

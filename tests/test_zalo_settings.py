"""/caidat, /dulieu and /xoadulieu for a resident on the Zalo Bot Platform, through the real bot:
numbered choices answered by number or by words, a typed phone number, the data as text, and
after deletion a new person."""

from __future__ import annotations

import pytest

from bot.context import AnninhApp
from bot.models import Resident
from bot.sandbox import Sandbox
from bot.sandbox.zalo import SimZaloUser, ZaloSandbox
from bot.store import Store
from bot.text import matches
from tests.helpers import onboard, onboard_on_zalo
from tests.test_erasure import traces


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config


async def person_of(store: Store, user: SimZaloUser) -> Resident:
    resident_id = await store.accounts.resident_of("zalo", user.id)
    found = None if resident_id is None else await store.residents.get(resident_id)
    assert found is not None
    return found


async def test_language_hamlet_groups_and_mute_by_numbers_and_words(
    zalo: ZaloSandbox, store: Store, bot: AnninhApp,
) -> None:
    lan = zalo.user(21, "Lan")
    await onboard_on_zalo(lan)
    await lan.send("cai dat")  # the keyword, without accents
    menu = await lan.wait_for("Cài đặt")
    assert "1. ✓ Tiếng Việt" in menu.text and "Tắt tuyên truyền" in menu.text
    assert "<b>" not in menu.text and "Ấp Hưng Nhơn, Xã Hưng Lộc" in menu.text
    await lan.choose("English")  # by its number
    assert "✓ English" in (await lan.wait_for("Settings")).text
    assert (await person_of(store, lan)).language == "en"
    await lan.choose("Tiếng Việt", by="label")
    await lan.wait_for("Cài đặt")

    await lan.choose("Đổi ấp")
    await lan.wait_for("ấp/khu phố nào")
    await lan.send("dau giay")  # a hamlet's words
    assert "Ấp Dầu Giây, Xã Hưng Lộc" in (await lan.wait_for("Cài đặt")).text
    hamlet = await store.areas.hamlet((await person_of(store, lan)).hamlet_id or 0)
    assert hamlet is not None and hamlet.code == "dau-giay"

    await lan.send("tắt tuyên truyền")  # a choice's words
    assert "Bật tuyên truyền" in (await lan.wait_for("đã tắt")).text
    assert (await person_of(store, lan)).mute_propaganda
    await lan.choose("Bật tuyên truyền")
    await lan.wait_for("đang nhận")
    assert not (await person_of(store, lan)).mute_propaganda

    await lan.choose("Nhóm")
    await lan.wait_for("nhóm nào")
    await lan.choose("Phụ nữ")
    assert "✓ Phụ nữ" in (await lan.wait_for("nhóm nào")).text
    await lan.choose("Quay lại")
    assert "Nhóm: Phụ nữ" in (await lan.wait_for("Cài đặt")).text
    await lan.choose("Xong")
    await lan.wait_for("Đã lưu cài đặt")
    await lan.send("2")  # the menu is closed: a number is no longer a choice
    await lan.wait_for("Để báo tin về an ninh")


async def test_the_menu_lets_go_of_anything_else_and_comes_from_the_menu_too(
    zalo: ZaloSandbox, bot: AnninhApp,
) -> None:
    an = zalo.user(22, "An")
    await onboard_on_zalo(an)
    await an.send("menu")
    await an.wait_for("Bạn muốn làm gì")
    await an.choose("Cài đặt")
    await an.wait_for("Tuyên truyền")
    await an.send("Có trộm vào nhà tôi")  # not a setting: answered as outside any flow
    await an.wait_for("Để báo tin về an ninh")
    await an.send("0")
    await an.wait_for("Không có thao tác nào")


async def test_the_phone_number_is_typed_on_zalo(
    zalo: ZaloSandbox, store: Store, bot: AnninhApp,
) -> None:
    hoa = zalo.user(23, "Hoa")
    await onboard_on_zalo(hoa)
    await hoa.send("cài đặt")
    await hoa.wait_for("Cài đặt")
    await hoa.choose("Số điện thoại")
    await hoa.wait_for("Gõ số điện thoại của chính bạn")
    await hoa.send_sticker()
    await hoa.wait_for("Vui lòng gõ số điện thoại")
    await hoa.send("12345")
    await hoa.wait_for("không hợp lệ")
    assert (await person_of(store, hoa)).phone is None
    await hoa.send("0912 345 678")
    await hoa.wait_for("Đã lưu số điện thoại 0912 345 678")
    assert "0912 345 678" in (await hoa.wait_for("Cài đặt")).text
    assert (await person_of(store, hoa)).phone == "+84912345678"

    await hoa.choose("Xóa số điện thoại")
    await hoa.wait_for("chưa có (không bắt buộc)")
    await hoa.choose("Số điện thoại")
    await hoa.wait_for("Gõ số điện thoại")
    await hoa.send("hủy")
    await hoa.wait_for("không lưu số điện thoại")
    assert (await person_of(store, hoa)).phone is None


async def test_my_data_as_text_with_the_account(
    zalo: ZaloSandbox, store: Store, bot: AnninhApp,
) -> None:
    minh = zalo.user(24, "Minh")
    await onboard_on_zalo(minh)
    await minh.send("dữ liệu")
    full = await minh.wait_for("Toàn bộ dữ liệu")
    assert '"channel": "zalo"' in full.text and f'"id": "{minh.id}"' in full.text
    assert '"hamlet": "Ấp Hưng Nhơn"' in full.text and "<pre>" not in full.text
    summary = await minh.wait_for("Dữ liệu của bạn")
    assert f"Zalo {minh.id}" in summary.text and "Telegram" not in summary.text


async def test_deleting_ones_data_on_zalo_then_starting_again(
    zalo: ZaloSandbox, store: Store, bot: AnninhApp,
) -> None:
    xuyen = zalo.user(25, "Xuyến Quách")
    await onboard_on_zalo(xuyen)
    person = await person_of(store, xuyen)
    await xuyen.send("xóa dữ liệu")
    ask = await xuyen.wait_for("Xóa dữ liệu của bạn?")
    assert "mã Zalo" in ask.text and "1. 🗑 Xóa" in ask.text
    await xuyen.send("hủy")
    await xuyen.wait_for("vẫn được giữ nguyên")
    assert (await person_of(store, xuyen)).has_consented

    await xuyen.send("xoa du lieu")
    await xuyen.wait_for("Xóa dữ liệu của bạn?")
    await xuyen.choose("Xóa", by="label")
    said = await xuyen.wait_for("Đã xóa dữ liệu của bạn")
    assert "mã Zalo" in said.text
    assert await store.accounts.get("zalo", xuyen.id) is None
    assert await store.residents.get(person.id) is None
    assert traces(store.db.path, person.id, xuyen.id, ("Xuyến Quách", "Xuyến")) == []

    await xuyen.send("xin chào")  # a new person: onboarding from the start
    await xuyen.wait_for("Đồng ý xử lý dữ liệu cá nhân")
    again = await person_of(store, xuyen)  # (SQLite may give the row the same id again)
    assert (again.consent, again.display_name, again.hamlet_id) == ("none", None, None)


async def test_deleting_on_zalo_ends_what_the_same_person_has_open_on_telegram(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, bot: AnninhApp,
) -> None:
    lan = sandbox.user(3121, first_name="Lan", last_name="Đỗ")
    await onboard(lan)
    await lan.command("lienket")
    code = next(w for w in (await lan.wait_for("Mã liên kết")).text.split()
                if len(w) == 8 and w.isupper())
    on_zalo = zalo.user(3121, "Lan Zalo")
    await on_zalo.send(f"lienket {code}")
    await on_zalo.wait_for("Đã liên kết")
    await lan.command("thamgia")  # left open on Telegram: the join code question
    await lan.wait_for("Gõ mã tổ")

    await on_zalo.send("xóa dữ liệu")
    ask = await on_zalo.wait_for("Xóa dữ liệu của bạn?")
    assert "mã Zalo" in ask.text and "mã Telegram" in ask.text  # the one used last first
    await on_zalo.choose("Xóa")
    await on_zalo.wait_for("Đã xóa dữ liệu của bạn")
    assert await store.residents.by_telegram_id(3121) is None
    assert await store.db.fetchall(
        "SELECT name FROM ptb_conversations WHERE key LIKE ?", ("%3121]",)) == []
    await lan.send("HN01")  # no longer the answer to the join code question
    await lan.wait_for("Để báo tin về an ninh")
    assert not [m for m in lan.inbox if matches(m.text, "Đã gửi yêu cầu tham gia")]

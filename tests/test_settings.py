"""/caidat on Telegram: the phone number by the contact button, and what is left without
consent. (Language, mute, hamlet and groups: tests/test_resident_stories.py, on both
channels.)"""

from __future__ import annotations

from bot.context import AnninhApp
from bot.models import Resident
from bot.sandbox import Sandbox, SimUser
from bot.services.residents import display_phone
from bot.store import Store
from tests.helpers import onboard


async def resident(store: Store, telegram_id: int = 3001) -> Resident:
    found = await store.residents.by_telegram_id(telegram_id)
    assert found is not None
    return found


async def settings_of(person: SimUser) -> str:
    await person.command("caidat")
    return (await person.wait_for("Cài đặt")).text


async def test_phone_by_contact_button_only_ones_own(
    sandbox: Sandbox, bot: AnninhApp, store: Store
) -> None:
    lan = sandbox.user(3001, first_name="Lan", phone="+84 90 000 3001")
    await onboard(lan)
    await settings_of(lan)
    await lan.press("Số điện thoại")
    ask = await lan.wait_for("Không bắt buộc")
    assert ask.reply_keyboard == [["📱 Gửi số điện thoại"], ["Hủy"]]
    await lan.share_contact("+84912345678")  # someone else's card
    await lan.wait_for("Chỉ nhận số điện thoại của chính bạn")
    assert (await resident(store)).phone is None

    await lan.tap("Gửi số điện thoại")
    await lan.wait_for("Đã lưu số điện thoại 0900 003 001")
    assert (await resident(store)).phone == "+84900003001"
    menu = await lan.wait_for("Cài đặt")
    assert "0900 003 001" in menu.text  # as people write it; stored as +84900003001

    await lan.press("Xóa số điện thoại")
    await lan.wait_for("chưa có (không bắt buộc)")
    assert (await resident(store)).phone is None

    await lan.command("caidat")
    await lan.wait_for("Cài đặt")
    await lan.press("Số điện thoại")
    await lan.wait_for("Không bắt buộc")
    await lan.send_raw({"contact": {"phone_number": "0912 345 678", "first_name": "Lan",
                                    "user_id": 3001}})  # a local format is normalised
    await lan.wait_for("Đã lưu số điện thoại 0912 345 678")


async def test_phone_can_be_cancelled_and_is_never_required(
    sandbox: Sandbox, bot: AnninhApp, store: Store
) -> None:
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await settings_of(lan)
    await lan.press("Số điện thoại")
    await lan.wait_for("Không bắt buộc")
    await lan.send("tôi không muốn")
    await lan.wait_for("Vui lòng bấm nút Gửi số điện thoại")
    await lan.tap("Hủy")
    await lan.wait_for("không lưu số điện thoại")
    assert (await resident(store)).phone is None
    await lan.command("to")  # everything else still works without a phone
    await lan.wait_for("Bạn chưa tham gia tổ nào")


async def test_without_consent_only_the_language_can_change(
    sandbox: Sandbox, bot: AnninhApp, store: Store
) -> None:
    minh = sandbox.user(3002, first_name="Minh")
    await minh.command("caidat")
    menu = await minh.wait_for("Cài đặt")
    assert menu.labels == ["✓ Tiếng Việt", "English"]
    await minh.press("English")
    await minh.wait_for("agree to the terms first")
    assert (await resident(store, 3002)).language == "en"
    await minh.share_contact()
    await minh.command("mydata")
    await minh.wait_for("Your data")
    assert (await resident(store, 3002)).phone is None


def test_phone_numbers_are_shown_as_people_write_them() -> None:
    assert display_phone("+84900003001") == "0900 003 001"
    assert display_phone("+12025550123") == "+1 202-555-0123"  # another country's: its code
    assert display_phone("not a number") == "not a number"

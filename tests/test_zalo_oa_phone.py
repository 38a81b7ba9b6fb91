"""A phone number a follower shares through the OA's information form (`user_submit_info`),
through the real bot and the OA emulator: stored in E.164 where /caidat's phone goes (and
shown there), only with consent, without disturbing the flow that is open; and the gong's ZBS
template goes by that number when Zalo no longer takes the follower's id."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.sandbox import SimUser
from bot.sandbox.zalo_oa import OaSandbox
from bot.store import Store
from tests.helpers import sound_gong
from tests.oa_kit import ALARM_TEMPLATE, last_seen, oa_member, oa_section
from tests.test_zalo_oa_channel import connected, oa, onboard_on_oa  # noqa: F401 - fixtures

TWELVE_DAYS = 24 * 12


@pytest.fixture
def config_extra(oa: OaSandbox, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    return oa_section(oa, monkeypatch) + "[alarms]\nrefresh_seconds = 0.05\n"


async def phone_of(store: Store, user_id: str) -> str | None:
    account = await store.accounts.get("zalo_oa", user_id)
    assert account is not None
    person = await store.residents.get(account.resident_id)
    assert person is not None
    return person.phone


async def test_the_form_stores_the_phone_that_settings_show(
    connected: OaSandbox, store: Store, bot: AnninhApp,  # noqa: F811
) -> None:
    lan = connected.user(91, "Lan", followed=False)
    await onboard_on_oa(lan)
    lan.submit_info("84912345678")
    saved = await lan.wait_for("Đã lưu số điện thoại")
    assert "0912 345 678" in saved.text
    assert await phone_of(store, lan.id) == "+84912345678"  # E.164, as /caidat stores it
    await lan.send("cài đặt")
    settings = await lan.wait_for("Cài đặt")
    assert "Số điện thoại: 0912 345 678" in settings.text
    # In the middle of a report the form is taken, and the report goes on where it was.
    await lan.send("báo tin")
    await lan.wait_for("Sự việc thuộc loại nào")
    lan.submit_info("84987654321")
    await lan.wait_for(predicate=lambda m: "0987 654 321" in m.text)
    assert await phone_of(store, lan.id) == "+84987654321"
    await lan.choose("Trộm cắp")
    await lan.wait_for("chuyện gì đã xảy ra")


async def test_the_phone_question_takes_the_form_and_shows_the_settings(
    connected: OaSandbox, store: Store, bot: AnninhApp,  # noqa: F811
) -> None:
    mai = connected.user(92, "Mai", followed=False)
    await onboard_on_oa(mai)
    await mai.send("cài đặt")
    await mai.wait_for("Cài đặt")
    await mai.choose("Số điện thoại", by="label")
    await mai.wait_for("của chính bạn")  # typed, or in one tap with the OA's form:
    form = await mai.wait_for("Gửi số điện thoại cho công an xã")
    assert form.kind == "form" and "tài khoản Zalo này" in form.raw["subtitle"]
    mai.submit_info("84912000111")
    await mai.wait_for("Đã lưu số điện thoại")
    await mai.wait_for("Số điện thoại: 0912 000 111")  # the settings again
    assert await phone_of(store, mai.id) == "+84912000111"


async def test_without_consent_the_form_is_not_kept(
    connected: OaSandbox, store: Store, bot: AnninhApp,  # noqa: F811
) -> None:
    an = connected.user(93, "An", followed=False)
    an.follow()
    await an.wait_for("Đồng ý xử lý dữ liệu cá nhân")
    an.submit_info("84912345000")
    await an.wait_for("Bạn cần đồng ý điều khoản trước")
    assert await phone_of(store, an.id) is None


async def test_the_gong_goes_by_phone_where_zalo_no_longer_takes_the_follower_id(
    connected: OaSandbox, clock: FakeClock, bot: AnninhApp, leader: SimUser,  # noqa: F811
    store: Store,
) -> None:
    tam = await oa_member(connected, bot, clock, 94, 5)
    tam.submit_info("84912345679")
    await tam.wait_for("Đã lưu số điện thoại")
    silent = await oa_member(connected, bot, clock, 95, TWELVE_DAYS)
    for member in (tam, silent):
        await last_seen(connected, bot, clock, member, TWELVE_DAYS)
        member.oa_chat.followed = False  # Zalo says so; the unfollow never reached the bot
    await sound_gong(leader)
    await leader.wait_for("Đã phát kẻng")
    await tam.wait_for("KẺNG AN NINH")
    assert tam.chat.history[-1]["template_id"] == ALARM_TEMPLATE
    await leader.wait_for("chưa nhận được")
    assert connected.stats.zbs == 1  # by phone; each id was refused first
    assert connected.stats.zbs_refused == 2
    account = await store.accounts.get("zalo_oa", silent.id)
    assert account is not None and account.unreachable_at is not None  # no phone to try
    assert silent.messages == []

"""/thongke for the commune police: figures from the database, officers only."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.models import Audience
from bot.sandbox import Sandbox, SimUser
from bot.sending import OutMessage
from tests.helpers import LEADER_ID, OFFICER_ID, onboard, services_of

pytestmark = pytest.mark.usefixtures("bot")


async def test_an_officer_reads_the_communes_figures_for_each_period(
    sandbox: Sandbox, officer: SimUser
) -> None:
    for telegram_id in (5001, 5002):
        await onboard(sandbox.user(telegram_id, first_name=f"Dân {telegram_id}"))
    await officer.command("thongke")
    summary = await officer.wait_for("Thống kê Xã Hưng Lộc")
    assert "7 ngày" in summary.text
    assert "Người dân đã đăng ký: 2" in summary.text
    assert "Tổ: 5" in summary.text
    assert "Tin báo: 0" in summary.text
    # the five leaders of the areas file have not opened the bot: not counted as members
    assert "thành viên: 0" in summary.text and "tổ trưởng chưa mở bot: 5" in summary.text
    assert "Chưa có tin nào được tiếp nhận" in summary.text  # not "—" nor "trung vị"
    await officer.press("Hôm nay")
    today = await officer.wait_for("Hôm nay")
    assert "• Hôm nay" in [label for row in today.buttons for label in row]


async def test_a_resident_gets_no_statistics(sandbox: Sandbox) -> None:
    lan = sandbox.user(5003, first_name="Lan")
    await onboard(lan)
    await lan.command("stats")
    refusal = await lan.wait_for("không có quyền")
    assert "Thống kê" not in refusal.text
    query = await lan.press_data("tk:1:all")
    assert (await lan.answer_for(query)).show_alert


async def test_pressing_the_period_already_shown_is_answered_quietly(
    sandbox: Sandbox, officer: SimUser, caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram refuses an edit that changes nothing ("message is not modified"): that is no
    error — the press is answered and nothing else happens."""
    caplog.set_level(logging.WARNING)
    await officer.command("thongke")
    await officer.wait_for("Thống kê Xã Hưng Lộc")
    query = await officer.press("• 7 ngày")
    answered = await officer.answer_for(query)
    assert not answered.show_alert and not answered.text
    await officer.press("Hôm nay")  # handled after the first press (one chat, in order)
    await officer.wait_for(predicate=lambda m: "• Hôm nay" in str(m.buttons))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_the_figures_count_the_leader_who_opened_the_bot_and_not_a_cancelled_announcement(
    sandbox: Sandbox, officer: SimUser, bot: AnninhApp, clock: FakeClock
) -> None:
    await onboard(sandbox.user(LEADER_ID, first_name="Tư"))
    services = services_of(bot)
    officer_person = await services.store.residents.by_telegram_id(OFFICER_ID)
    commune = await services.store.areas.commune_by_code("hung-loc")
    assert officer_person is not None and commune is not None
    later = await services.broadcasts.schedule(
        Audience(commune.id), OutMessage(text="Họp dân"), clock.now() + timedelta(days=1),
        created_by=officer_person.id)
    assert await services.broadcasts.cancel(later, officer_person.id) is not None
    await officer.command("thongke")
    summary = await officer.wait_for("Thống kê Xã Hưng Lộc")
    assert "thành viên: 1" in summary.text and "tổ trưởng chưa mở bot: 4" in summary.text
    assert "Thông báo: 0" in summary.text  # the cancelled one was never sent

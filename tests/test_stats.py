"""/thongke for the commune police: figures from the database, officers only."""

from __future__ import annotations

import logging

import pytest

from bot.sandbox import Sandbox, SimUser
from tests.helpers import onboard

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

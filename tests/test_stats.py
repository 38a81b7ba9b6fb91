"""/thongke for the commune police: figures from the database, officers only."""

from __future__ import annotations

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

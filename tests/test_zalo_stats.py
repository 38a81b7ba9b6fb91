"""An officer on Zalo reads the statistics as on Telegram: "thống kê" gives the figures in
plain text with the periods as numbered choices, a typed number shows another period; a
resident is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config
from bot.sandbox.zalo import ZaloSandbox
from bot.store import Store
from tests.helpers import onboard_on_zalo
from tests.test_zalo_triage import zalo_staff

pytestmark = pytest.mark.usefixtures("bot")


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config


async def test_a_zalo_officer_reads_the_figures_and_chooses_a_period_by_number(
    zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path
) -> None:
    (hai,) = await zalo_staff(zalo, store, config, tmp_path)
    await hai.send("thống kê")
    summary = await hai.wait_for("Thống kê Xã Hưng Lộc")
    assert "7 ngày" in summary.text and "Tổ: 5" in summary.text
    assert "<b>" not in summary.text  # plain text on Zalo
    assert summary.labels == ["Hôm nay", "• 7 ngày", "30 ngày", "Tất cả"]
    await hai.choose("Hôm nay")
    today = await hai.wait_for("Thống kê Xã Hưng Lộc")
    assert "Hôm nay" in today.text and "• Hôm nay" in today.labels
    await hai.send("4")  # the newest figures' numbers
    everything = await hai.wait_for("Thống kê Xã Hưng Lộc")
    assert "• Tất cả" in everything.labels


async def test_a_zalo_resident_gets_no_statistics(zalo: ZaloSandbox) -> None:
    lan = zalo.user(3705, "Lan")
    await onboard_on_zalo(lan)
    await lan.send("thống kê")
    refusal = await lan.wait_for("không có quyền")
    assert "Thống kê" not in refusal.text

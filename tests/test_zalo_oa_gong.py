"""The gong and the officers' cards on a Zalo Official Account, through the real bot and the
OA emulator: a member inside the window gets the alarm with "Đang đến" / "Không thể" buttons
and answers with one; a member outside it gets a paid ZBS template, and the caller is told so;
an officer following the OA gets a new report privately and accepts it by its number."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.clock import FakeClock
from bot.config import Config
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.sandbox.zalo_oa import OaSandbox
from bot.services.areas import load_areas, parse_areas
from bot.store import Store
from tests.helpers import onboard, sound_gong
from tests.oa_kit import ALARM_TEMPLATE, oa_member, oa_section
from tests.test_report import file_report
from tests.test_zalo_oa_channel import connected, oa, onboard_on_oa  # noqa: F401 - fixtures
from tests.test_zalo_oa_tokens import areas_with_oa


@pytest.fixture
def config_extra(oa: OaSandbox, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    return oa_section(oa, monkeypatch) + "[alarms]\nrefresh_seconds = 0.05\n"


async def test_the_gong_reaches_members_inside_the_window_and_by_zbs_outside(
    connected: OaSandbox, clock: FakeClock, bot: AnninhApp, leader: SimUser,  # noqa: F811
    staff_group: SimGroup,
) -> None:
    near = await oa_member(connected, bot, clock, 61, 5)
    far = [await oa_member(connected, bot, clock, 62 + n, 24 * 12) for n in range(3)]
    await sound_gong(leader)
    await leader.wait_for("Đã phát kẻng")
    alert = await near.wait_for("KẺNG AN NINH")
    assert near.buttons() == ["🏃 Đang đến", "Không thể"]
    assert "1. " in alert.text
    for member in far:
        paid = await member.wait_for("KẺNG AN NINH")
        assert member.chat.history[-1]["template_id"] == ALARM_TEMPLATE
        assert "<b>" not in paid.text
    told = await leader.wait_for("chưa nhận được")
    assert "3 người chưa nhận được: ngoài khung 7 ngày của Zalo OA, đã gửi tin ZBS" \
        in told.text
    assert connected.stats.zbs == 3
    await near.press("Đang đến")
    await near.wait_for("đang đến")
    await leader.wait_for(predicate=lambda m: "Đang đến" in m.text and "Người 61" in m.text)
    await far[0].send("Đang đến")  # typed under the template: the window opens, it counts
    await far[0].wait_for("đang đến")


async def test_an_officer_on_the_oa_accepts_a_report_by_its_number(
    connected: OaSandbox, store: Store, config: Config, tmp_path: Path,  # noqa: F811
    bot: AnninhApp, sandbox: Sandbox, staff_group: SimGroup,
) -> None:
    hai = connected.user(71, "Cán bộ OA", followed=False)
    areas = areas_with_oa(tmp_path)
    areas.write_text(areas.read_text(encoding="utf-8").replace(
        "officers = [1001]", f'officers = [1001, "zalo_oa:{hai.id}"]'), encoding="utf-8")
    await load_areas(store, parse_areas(areas, Catalog.load(config.content.folder)), "test")
    await onboard_on_oa(hai)  # following and writing opens the window for the cards
    lan = sandbox.user(3301, first_name="Lan")
    await onboard(lan)
    code = await file_report(lan)
    card = await hai.wait_for(code)
    assert "Tiếp nhận" in card.text
    await hai.choose("Tiếp nhận")
    await hai.wait_for("Đã tiếp nhận")
    await staff_group.wait_for("Đã tiếp nhận")  # (the OA gives no display name yet)
    await lan.wait_for("đã được công an xã tiếp nhận")

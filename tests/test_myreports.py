"""/tindabao on Telegram: a "Bổ sung" button outlives its list (it carries its command), a
closed report takes no addition, and the resident is told as a reply once it reached the
officers. (Adding from the list: tests/test_triage.py, test_relays.py, test_report_photos.py;
on Zalo: tests/test_zalo_resident.py.)"""

from __future__ import annotations

import pytest

from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.store import Store
from tests.test_triage import _reported

pytestmark = pytest.mark.usefixtures("bot")


async def test_an_old_bo_sung_button_ends_the_open_flow_and_adds(
    sandbox: Sandbox, staff_group: SimGroup
) -> None:
    lan, code = await _reported(sandbox, staff_group)
    await lan.command("tindabao")
    await lan.wait_for("Tin bạn đã báo")
    await lan.command("baotin")
    await lan.wait_for("Báo tin cho công an xã")
    first = len(lan.inbox)
    await lan.press(f"Bổ sung {code}")  # the list's button, with the report flow open
    await lan.wait_for("Đã dừng việc đang làm dở: soạn tin báo")
    await lan.wait_for("Gõ thông tin bổ sung")
    written = await lan.send("Xe màu đỏ")
    told = await lan.wait_for("Đã gửi thông tin bổ sung")
    assert told.reply_to_message_id == written["message_id"]
    added = await staff_group.wait_for("Xe màu đỏ")
    assert code in added.text
    assert not any("Địa điểm:" in m.text for m in lan.inbox[first:])  # not the report's


async def test_a_closed_report_takes_no_addition(
    sandbox: Sandbox, store: Store, staff_group: SimGroup, officer: SimUser
) -> None:
    lan, code = await _reported(sandbox, staff_group)
    await lan.command("tindabao")
    await lan.wait_for("Tin bạn đã báo")
    await officer.press("Đã xử lý", chat=staff_group)
    await lan.wait_for("đã được xử lý")
    refusal = await lan.answer_for(await lan.press(f"Bổ sung {code}"))
    assert refusal.show_alert and "đã đóng" in (refusal.text or "")
    await lan.send("Xe màu đỏ")
    await lan.wait_for("Để báo tin về an ninh")  # no addition was asked for
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "resolved"


async def test_tindabao_with_a_code_asks_for_the_addition(
    sandbox: Sandbox, staff_group: SimGroup
) -> None:
    lan, code = await _reported(sandbox, staff_group)
    await lan.command("tindabao", code.lower())
    asked = await lan.wait_for("Gõ thông tin bổ sung")
    assert code in asked.text
    await lan.command("tindabao", "TB-999999")  # not hers: nothing named
    await lan.wait_for("không phải của bạn")

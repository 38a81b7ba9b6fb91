"""Invisible input: free text made only of invisible characters is empty — every step that
takes free text asks again with a clear message; control characters never reach the database."""

from __future__ import annotations

import pytest

from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.store import Store
from tests.helpers import onboard
from tests.test_alarm import add_member
from tests.test_report import file_report, start_report
from tests.test_triage import _reported

pytestmark = pytest.mark.usefixtures("bot")

BLANK = "không có chữ nào nhìn thấy được"
INVISIBLE = {
    "zero-width spaces": "\u200b\u200b\u200b",
    "hangul filler": "\u3164",
    "word joiner and bom": "\u2060\ufeff",
    "nul": "\x00",
    "whitespace": " \n\t ",
    "a mix": "\u200b \u3164\u2060\u00a0\u2800\u034f",
    "lone combining marks": "\u0301\u0303",
}


@pytest.mark.parametrize("text", INVISIBLE.values(), ids=INVISIBLE.keys())
async def test_an_invisible_description_is_asked_again(
    sandbox: Sandbox, store: Store, text: str
) -> None:
    lan = sandbox.user(9101, first_name="Lan")
    await onboard(lan)
    await start_report(lan)
    await lan.send(text)
    await lan.wait_for(BLANK)
    await lan.send("Mất xe\x00 máy lúc 2 giờ\u200b ")  # a NUL inside, invisible tail
    await lan.wait_for("ở đâu")
    await lan.send("\u3164\u200b")  # an invisible address
    await lan.wait_for(BLANK)
    await lan.press("Bỏ qua")
    await lan.wait_for("Bạn có ảnh không")
    await lan.press("Bỏ qua")
    await lan.wait_for("Bạn muốn gửi tin thế nào")
    await lan.press("Ẩn danh")
    await lan.wait_for("Kiểm tra lại tin báo")
    await lan.press("Gửi")
    sent = await lan.wait_for("Đã gửi tin báo")
    code = next(word for word in sent.text.split() if word.startswith("TB-"))
    report = await store.reports.get(int(code[3:]))
    assert report is not None
    assert report.description == "Mất xe máy lúc 2 giờ" and report.address is None


async def test_an_invisible_gong_note_is_asked_again(store: Store, leader: SimUser) -> None:
    await add_member(store, "hn-01", 9105, "An")
    await leader.command("keng")
    await leader.wait_for("Việc gì")
    await leader.press("Trộm")
    await leader.wait_for("Phát kẻng")
    await leader.send("\u200b\u3164")
    await leader.wait_for(BLANK)
    await leader.send("Cổng sau\x00 nhà văn hóa")
    await leader.wait_for("Cổng sau nhà văn hóa")
    await leader.press("Phát kẻng")
    await leader.wait_for("Đã phát kẻng")
    [alarm] = await store.alarms.all()
    assert alarm.note == "Cổng sau nhà văn hóa"


async def test_an_invisible_team_name_is_asked_again(store: Store, officer: SimUser) -> None:
    await officer.command("taoto")
    await officer.wait_for("Tạo tổ mới ở ấp/khu phố nào")
    await officer.press("Ấp Dầu Giây")
    await officer.wait_for("thuộc mô hình nào")
    await officer.press("Đội thanh niên xung kích")
    await officer.wait_for("Gõ tên tổ")
    before = len(await store.areas.teams())
    await officer.send("\u3164\u3164\u3164\u3164")
    await officer.wait_for(BLANK)
    assert len(await store.areas.teams()) == before
    await officer.send("\u200bĐội xung kích Dầu Giây\x00")
    await officer.wait_for("Đã tạo Đội xung kích Dầu Giây")
    assert "Đội xung kích Dầu Giây" in {t.name for t in await store.areas.teams()}


async def test_an_invisible_addition_or_reply_is_not_passed_on(
    sandbox: Sandbox, staff_group: SimGroup, officer: SimUser
) -> None:
    lan, code = await _reported(sandbox, staff_group, user_id=9102)
    card = staff_group.inbox[0]
    await lan.command("tindabao")
    await lan.wait_for("Tin bạn đã báo")
    await lan.press(f"Bổ sung {code}")
    await lan.wait_for("thông tin bổ sung")
    await lan.send("\u2060\u2060")
    await lan.wait_for(BLANK)
    await lan.send("Xe màu đỏ")  # still adding: the step stayed
    await staff_group.wait_for("Xe màu đỏ")

    await staff_group.send(officer, "\u200b\ufeff", reply_to=card)
    refusal = await staff_group.wait_for(BLANK)
    await staff_group.send(officer, "Cảm ơn chị", reply_to=card)
    await lan.wait_for("Cảm ơn chị")
    assert refusal.reply_to_message_id is not None
    assert not any("\u200b" in m.text for m in lan.inbox)


async def test_an_invisible_announcement_is_asked_again(officer: SimUser) -> None:
    await officer.command("thongbao")
    await officer.wait_for("Soạn thông báo")
    await officer.send("\u3164")
    await officer.wait_for(BLANK)
    await officer.send("Họp dân lúc 19:00")
    await officer.wait_for("Gửi tới ai")


async def test_an_invisible_telegram_name_is_not_stored(sandbox: Sandbox, store: Store) -> None:
    ghost = sandbox.user(9103, first_name="\u3164")
    await onboard(ghost)
    resident = await store.residents.by_telegram_id(ghost.id)
    assert resident is not None and resident.display_name is None


async def test_a_report_filed_after_invisible_input_reaches_the_group(
    sandbox: Sandbox, staff_group: SimGroup
) -> None:
    """The usual path still works end to end with cleaned text."""
    lan = sandbox.user(9104, first_name="Lan")
    await onboard(lan)
    code = await file_report(lan, "Trộm gà ở ấp Hưng Nhơn lúc\x00 nửa đêm")
    card = await staff_group.wait_for(code)
    assert "Trộm gà ở ấp Hưng Nhơn lúc nửa đêm" in card.text

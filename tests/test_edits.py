"""An edit of an old message is never new input: not an answer, not a relay, not a command."""

from __future__ import annotations

import pytest

from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.store import Store
from bot.text import matches
from tests import flow_steps as steps
from tests.test_triage import _reported


@pytest.mark.usefixtures("bot")
async def test_a_corrected_description_does_not_become_the_address(
    sandbox: Sandbox, store: Store, staff_group: SimGroup
) -> None:
    lan = sandbox.user(4201, first_name="Lan")
    await steps.report_at_description(lan)
    said = await lan.send("Mất xe máy trước nha")
    await lan.wait_for("Sự việc xảy ra ở đâu")
    await lan.edit(said, "Mất xe máy trước nhà, lúc 2 giờ sáng")  # at the location step
    await lan.press("Bỏ qua")
    await lan.wait_for("Không có địa điểm")
    await lan.wait_for("Bạn có ảnh không")
    await lan.press("Bỏ qua")
    await lan.wait_for("Bạn muốn gửi tin thế nào")
    await lan.press("Ẩn danh")
    summary = await lan.wait_for("Kiểm tra lại")
    assert "lúc 2 giờ sáng" not in summary.text
    await lan.press("Gửi")
    sent = await lan.wait_for("Đã gửi tin báo")
    code = next(word for word in sent.text.split() if word.startswith("TB-"))
    report = await store.reports.get(int(code[3:]))
    assert report is not None
    assert (report.description, report.address) == ("Mất xe máy trước nha", None)
    assert not [m for m in lan.inbox if matches(m.text, "Địa điểm: Mất xe máy")]


async def test_an_edited_reply_is_not_relayed_again(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup, officer: SimUser
) -> None:
    del bot
    lan, _ = await _reported(sandbox, staff_group, anonymous=True)
    card = staff_group.inbox[0]
    asked = await staff_group.send(officer, "Chị cho biết biển số xe?", reply_to=card)
    relayed = await lan.wait_for("biển số xe")
    await staff_group.wait_for("Đã chuyển cho người báo")
    answered = await lan.send("Biển số 60B1-12345", reply_to=relayed)
    await staff_group.wait_for("60B1-12345")
    await lan.wait_for("Đã chuyển cho công an xã")

    await staff_group.edit(officer, asked, "Chị cho biết biển số xe và màu xe?")
    await lan.edit(answered, "Biển số 60B1-12345, xe màu đỏ")
    await lan.command("trogiup")  # a private chat's updates are handled in order
    await lan.wait_for("Hướng dẫn")
    await staff_group.command(officer, "tinmo")
    await staff_group.wait_for("Tin báo chưa xong")
    assert not [m for m in staff_group.inbox if matches(m.text, "màu đỏ")]
    assert sum(matches(m.text, "60B1-12345") for m in staff_group.inbox) == 1
    assert not [m for m in lan.inbox if matches(m.text, "màu xe")]


@pytest.mark.usefixtures("bot")
async def test_a_message_edited_into_a_command_starts_nothing(sandbox: Sandbox) -> None:
    an = sandbox.user(4202, first_name="An")
    await steps.report_at_category(an)
    await an.command("huy")
    await an.wait_for("Đã hủy tin báo")
    said = await an.send("xin chào")
    await an.wait_for("Để báo tin về an ninh")
    await an.edit(said, "/baotin")
    await an.command("trogiup")
    await an.wait_for("Hướng dẫn")
    assert sum(matches(m.text, "Báo tin cho công an xã") for m in an.inbox) == 1  # /baotin


async def test_an_edit_during_onboarding_is_not_an_answer(
    sandbox: Sandbox, bot: AnninhApp
) -> None:
    del bot
    hoa: SimUser = sandbox.user(4203, first_name="Hoa")
    await steps.start_onboarding(hoa)
    early = await hoa.send("xin chào")
    await hoa.wait_for("bấm Đồng ý")
    await hoa.press("Đồng ý")
    await hoa.wait_for("Bạn ở ấp/khu phố nào")
    await hoa.edit(early, "dau giay")  # an old message edited: not the answer to this step
    await hoa.send("hung hiep")
    await hoa.wait_for("Bạn có thuộc nhóm nào")
    await hoa.press("Xong")
    done = await hoa.wait_for("Cảm ơn bạn")
    assert "Ấp Hưng Hiệp" in done.text and "Dầu Giây" not in done.text

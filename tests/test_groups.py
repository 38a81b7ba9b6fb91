"""Group chats: the staff group gets its card work and officers' commands; /start, resident
commands and refusals are not answered in any group (a one-line hint for /start)."""

from __future__ import annotations

import pytest

from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.store import Store
from tests.helpers import onboard

RESIDENT_COMMANDS = ("baotin", "thamgia HN01", "to", "trogiup", "caidat", "dulieu",
                     "xoadulieu", "tindabao", "huy", "khonglenh")
OFFICER_COMMANDS = ("tinmo", "thongke", "lichphat", "thongbao", "keng", "taoto")


async def only_the_hint(group: SimGroup, person: SimUser) -> None:
    """/start last: the group's updates run in order, so once its hint is there every earlier
    command has been handled — and the hint must be the only thing the bot said."""
    await group.command(person, "start")
    hint = await group.wait_for("nhắn riêng cho bot")
    assert "t.me/" in hint.text and "\n" not in hint.text.strip()
    assert [m.message_id for m in group.inbox] == [hint.message_id], group.transcript()


@pytest.mark.parametrize("where", ["staff", "other"])
async def test_residents_and_refusals_get_no_answer_in_groups(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup, officer: SimUser, where: str
) -> None:
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)  # a resident of the commune, privately as before
    group = staff_group if where == "staff" else sandbox.group(
        -1009000000001, "Nhóm Zalo xóm", members=[lan, officer])
    group.add(lan)
    for command in (*RESIDENT_COMMANDS, *OFFICER_COMMANDS):  # a resident's officer commands
        await group.command(lan, command)
    if where == "other":  # officer commands outside their staff group
        for command in OFFICER_COMMANDS:
            await group.command(officer, command)
    await only_the_hint(group, lan)
    await lan.command("to")  # privately everything as before
    await lan.wait_for("Bạn chưa tham gia tổ nào")


async def test_officer_commands_work_in_the_staff_group_for_its_officers_only(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser
) -> None:
    async with store.db.transaction() as tx:
        commune_id = await store.areas.upsert_commune(tx, "xa-khac", "Xã Khác", None)
        other = await store.residents.ensure(tx, 1002)
        await store.residents.grant_role(tx, other, "officer", commune_id, "test")
    stranger = sandbox.user(1002, first_name="Cán bộ xã khác")
    staff_group.add(stranger)
    for command in OFFICER_COMMANDS:
        await staff_group.command(stranger, command)  # an officer, but not of this commune
    await only_the_hint(staff_group, stranger)

    staff_group.skip()
    await staff_group.command(officer, "tinmo")
    listing = await staff_group.wait_for("Hưng Lộc")
    assert "Xã Khác" not in listing.text
    await staff_group.command(officer, "lichphat")
    await staff_group.wait_for("Lịch phát tuyên truyền")
    await staff_group.command(officer, "thongke")
    await staff_group.wait_for("Hưng Lộc")

"""Relays under Telegram's flood limits, and across a restart: the outbox paces them, loses
none, lets a critical report through first, and keeps what is queued when the bot dies."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.context import AnninhApp
from bot.sandbox import RateLimits, Sandbox, SimGroup, SimUser
from bot.store import Store
from tests.helpers import BotRunner, onboard, services_of
from tests.test_relays import _officer_wrote
from tests.test_report import start_report
from tests.test_triage import _reported

FASTER = 10  # Telegram's limits on a clock ten times faster: the same shape, a shorter test


@pytest.fixture
def config_extra() -> str:
    """The bot paced for the faster clock: 200 a minute per group, 10 a second per chat."""
    return (f"[broadcast]\ngroup_per_minute = {20 * FASTER}\n"
            f"per_chat_seconds = {1 / FASTER}\n")


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """Telegram's limits (30/s in all, 1/s per chat, 20/min per group, their bursts), faster.
    Switched on once the scene is set."""
    limits = RateLimits(global_rate=30 * FASTER, private_rate=1 * FASTER,
                        group_rate=20 / 60 * FASTER)
    async with Sandbox(limits=limits) as emulator:
        yield emulator


async def test_forty_replies_all_reach_the_group_paced_and_a_fire_report_goes_first(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup, officer: SimUser
) -> None:
    lan, _ = await _reported(sandbox, staff_group)
    question = await _officer_wrote(lan, staff_group, officer)
    minh = sandbox.user(3202, first_name="Minh")
    await onboard(minh)
    await start_report(minh, "Cháy nổ")  # ready to send, in the middle of the flood
    await minh.send("Cháy nhà kho cuối hẻm 5")
    await minh.wait_for("ở đâu")
    await minh.press("Bỏ qua")
    await minh.wait_for("Bạn có ảnh không")
    await minh.press("Bỏ qua")
    await minh.wait_for("Bạn muốn gửi tin thế nào")
    await minh.press("Gửi kèm tên")
    await minh.wait_for("Kiểm tra lại tin báo")
    staff_group.skip()
    sandbox.rate_limits = True

    for n in range(1, 41):
        await lan.send(f"Bổ sung số {n}", reply_to=question)
    await minh.press("Gửi")
    card = await staff_group.wait_for("Cháy nhà kho")
    relayed_before_card = [m for m in staff_group.inbox if "Bổ sung số" in m.text
                           and m.message_id < card.message_id]
    assert len(relayed_before_card) <= 20  # the report did not wait behind the backlog

    for _ in range(40 - len(relayed_before_card)):
        await staff_group.wait_for("Bổ sung số", timeout=30)
    relayed = sorted(int(m.text.rsplit(" ", 1)[-1]) for m in staff_group.inbox
                     if "Bổ sung số" in m.text)
    assert relayed == list(range(1, 41))  # all, once each
    for _ in range(40):
        await lan.wait_for("Đã chuyển cho công an xã", timeout=30)
    assert sandbox.stats.too_many_requests == 0  # the group's limit was kept


async def test_a_queued_relay_survives_the_bot_dying(
    sandbox: Sandbox, runner: BotRunner, bot: AnninhApp, store: Store, staff_group: SimGroup,
    officer: SimUser,
) -> None:
    lan, _ = await _reported(sandbox, staff_group)
    question = await _officer_wrote(lan, staff_group, officer)
    await services_of(bot).delivery.crash()  # like kill -9: nothing more goes out
    await lan.send("Xe màu đỏ, biển 60B1", reply_to=question)
    await lan.command("trogiup")  # answered after the reply was handled (one chat, in order)
    await lan.wait_for("/baotin")
    assert not any("màu đỏ" in m.text for m in staff_group.inbox)
    queued = await store.db.scalar(
        "SELECT count(*) FROM outbox WHERE chat_id = ? AND state = 'queued'",
        (staff_group.chat_id,))
    assert queued == 1

    await runner.stop()
    await runner.start()
    relayed = await staff_group.wait_for("màu đỏ")
    assert relayed.reply_to_message_id == staff_group.inbox[0].message_id
    await lan.wait_for("Đã chuyển cho công an xã")

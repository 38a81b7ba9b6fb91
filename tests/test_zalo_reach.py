"""What reaches a person on Zalo from outside their own conversation, through the outbox: the
gong in the middle of a report they are writing (answered by its words and by number without
taking the report's), and an answer the channel failed to take. (The gong answered and a
leader's decision: tests/test_team_stories.py; an officer's: test_officer_stories.py; each on
both channels.)"""

from __future__ import annotations

import pytest

from bot.sandbox import SimUser
from bot.sandbox.zalo import SimZaloUser, ZaloSandbox
from bot.store import Store
from tests.helpers import onboard, onboard_on_zalo, sound_gong

pytestmark = pytest.mark.usefixtures("bot")


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config + "\n[alarms]\nrefresh_seconds = 0.05\n"


async def member_on_zalo(zalo: ZaloSandbox, leader: SimUser, number: int,
                         name: str) -> SimZaloUser:
    """A Zalo resident who asked to join HN01; the Telegram leader approves; she is told."""
    person = zalo.user(number, name)
    await onboard_on_zalo(person, first="tham gia HN01")
    await person.wait_for("Đã gửi yêu cầu tham gia")
    await leader.wait_for(f"{name} xin tham gia")
    await leader.press("Duyệt")
    await person.wait_for("Tổ trưởng đã duyệt")  # on Zalo, through the outbox
    return person


async def test_the_gong_in_the_middle_of_a_report_takes_nothing_from_it(
    zalo: ZaloSandbox, leader: SimUser, store: Store,
) -> None:
    await onboard(leader)
    hoa = await member_on_zalo(zalo, leader, 22, "Hoa")
    await hoa.send("báo tin")
    await hoa.wait_for("Sự việc thuộc loại nào")
    await sound_gong(leader, "Cháy")
    await hoa.wait_for("KẺNG AN NINH")
    await hoa.send("đang đến")  # the gong's own words answer the gong
    await hoa.wait_for("Đã báo bạn đang đến")
    await hoa.send("1")  # the newest question is still the gong's: it takes the number
    await hoa.wait_for("Đã báo bạn đang đến")
    await hoa.send("trộm cắp")  # the report's words go to the report, still open
    await hoa.wait_for("chuyện gì đã xảy ra")
    await hoa.send("Cháy bếp nhà bên cạnh, đã dập xong")
    await hoa.wait_for("ở đâu")  # the report goes on where it was


async def test_an_answer_the_channel_fails_to_take_goes_through_the_outbox(
    zalo: ZaloSandbox, store: Store,
) -> None:
    """Zalo answers the bot's reply with a server error: the answer is not lost, the outbox
    delivers it (its choices still answerable by number)."""
    tam = zalo.user(24, "Tâm")
    await onboard_on_zalo(tam)
    zalo.fail_next("sendMessage", 502, "Bad Gateway")
    await tam.send("báo tin")
    ask = await tam.wait_for("Sự việc thuộc loại nào", timeout=10)
    assert "1. 🥷 Trộm cắp" in ask.text
    assert len(await store.broadcasts.by_origin("reply")) == 1  # it went through the outbox
    await tam.send("1")
    await tam.wait_for("chuyện gì đã xảy ra")

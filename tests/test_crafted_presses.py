"""Crafted button data: every callback prefix the bot defines, pressed with ids that are huge
(past SQLite's INTEGER), zero, negative, or not numbers at all. Each press is answered as an
out-of-date button, nothing changes, nothing is logged as an error, and the bot keeps going."""

from __future__ import annotations

import logging

import pytest

from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.store import Store
from tests.helpers import onboard
from tests.test_alarm import add_member

BAD_IDS = {
    "40 digits": "9" * 40,
    "2**63": str(2**63),
    "zero": "0",
    "negative": "-5",
    "not a number": "abc",
    "arabic-indic digits": "\u0663\u0664",
}

# (who presses, data) outside any conversation: the global buttons, and the buttons of a
# conversation step pressed when that step is not open.
ANYWHERE = [
    ("resident", "tm:ok:{0}:{0}"), ("resident", "tm:no:{0}:{0}"), ("resident", "tm:rmlist:{0}"),
    ("resident", "tm:rm:{0}:{0}"), ("resident", "tm:leave:{0}"), ("resident", "al:a:{0}:coming"),
    ("resident", "al:end:{0}"), ("resident", "d:{0}:c:{0}"),
    ("resident", "d:{0}:h:{0}"), ("resident", "d:{0}:mute"), ("resident", "d:{0}:yes"),
    ("resident", "ld:arr:{0}"), ("resident", "ld:res:{0}"), ("resident", "ob:c:{0}"),
    ("resident", "ob:h:{0}"), ("resident", "rp:cat:{0}"),
    ("officer", "tr:acc:{0}"), ("officer", "tr:res:{0}"), ("officer", "tr:rej:{0}"),
    ("officer", "tr:reo:{0}"), ("officer", "tr:rjr:{0}:info"), ("officer", "tr:rjo:{0}"),
    ("officer", "tr:asg:{0}"), ("officer", "tr:back:{0}"), ("officer", "tr:team:{0}:{0}"),
    ("officer", "tk:{0}:week"), ("officer", "ot:c:{0}"), ("officer", "ot:h:{0}"),
    ("officer", "ot:l:{0}:{0}"), ("officer", "pc:stop:{0}"), ("officer", "pc:start:{0}"),
    ("officer", "pc:cancel:{0}"), ("officer", "pc:pause:{0}"), ("officer", "pc:resume:{0}"),
    ("officer", "pc:view:{0}"), ("officer", "al:s:team:{0}"), ("officer", "an:h:{0}"),
    ("officer", "an:t:{0}"), ("officer", "an:in:{0}"),
]


async def press_crafted(person: SimUser, data: str) -> None:
    answer = await person.answer_for(await person.press_data(data))
    assert answer.show_alert and "đã cũ" in (answer.text or ""), (data, answer)


async def snapshot(store: Store) -> tuple[object, ...]:
    """What a crafted press must not change."""
    return (
        [e.id for e in await store.audit.entries()],
        await store.residents.by_telegram_id(3901),
        await store.memberships.members(1),
        await store.alarms.all(),
    )


@pytest.fixture(autouse=True)
def _no_errors(caplog: pytest.LogCaptureFixture) -> object:
    caplog.set_level(logging.WARNING)
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


@pytest.mark.parametrize("bad", BAD_IDS.values(), ids=BAD_IDS.keys())
@pytest.mark.usefixtures("bot")
async def test_crafted_ids_on_every_prefix_are_stale_buttons(
    sandbox: Sandbox, store: Store, officer: SimUser, staff_group: SimGroup, bad: str
) -> None:
    lan = sandbox.user(3901, first_name="Lan")
    await onboard(lan)
    await officer.command("trogiup")  # a message to press on
    await officer.wait_for("Hướng dẫn")
    people = {"resident": lan, "officer": officer}
    before = await snapshot(store)
    for who, data in ANYWHERE:
        await press_crafted(people[who], data.format(bad))
    assert await snapshot(store) == before
    await lan.command("trogiup")
    await lan.wait_for("Hướng dẫn")


@pytest.mark.parametrize("bad", BAD_IDS.values(), ids=BAD_IDS.keys())
@pytest.mark.usefixtures("bot")
async def test_crafted_ids_inside_conversations_keep_the_step(
    sandbox: Sandbox, store: Store, officer: SimUser, bad: str
) -> None:
    """Each step that takes an id from a button, pressed with a crafted one while it is open:
    answered, and the same question still stands."""
    await add_member(store, "hn-01", 3902, "An")
    newcomer = sandbox.user(3903, first_name="Mới")
    await newcomer.command("start")
    await newcomer.wait_for("Đồng ý xử lý dữ liệu cá nhân")
    await newcomer.press("Đồng ý")
    await newcomer.wait_for("ấp")
    await press_crafted(newcomer, f"ob:h:{bad}")
    await newcomer.press("Ấp Hưng Nhơn")  # the step is still there
    await newcomer.wait_for("nhóm")
    await newcomer.press("Xong")
    await newcomer.wait_for("Cảm ơn bạn")

    await newcomer.command("caidat")
    await newcomer.wait_for("Cài đặt")
    await newcomer.press("Đổi ấp")
    hamlets = await newcomer.wait_for("ấp/khu phố nào")
    prompt = str(hamlets.inline[0][0][1]).split(":")[1]  # the open prompt's number
    await press_crafted(newcomer, f"d:{prompt}:h:{bad}")
    await press_crafted(newcomer, f"d:{prompt}:c:{bad}")
    await newcomer.press("Ấp Dầu Giây")  # the step is still there
    await newcomer.wait_for("Ấp Dầu Giây, Xã Hưng Lộc")

    await newcomer.command("baotin")
    await newcomer.wait_for("Báo tin cho công an xã")
    await press_crafted(newcomer, f"rp:cat:{bad}")
    await newcomer.press("Trộm cắp")  # the step is still there
    await newcomer.wait_for("chuyện gì đã xảy ra")
    await newcomer.command("huy")
    await newcomer.wait_for("Đã hủy tin báo")

    await officer.command("keng")
    await officer.wait_for("cho ai")
    await press_crafted(officer, f"al:s:team:{bad}")
    await press_crafted(officer, f"al:s:hamlet:{bad}")
    await officer.press("Ấp Hưng Nhơn")
    await officer.wait_for("Việc gì")
    await officer.press("Hủy")
    await officer.wait_for("Đã hủy")

    await officer.command("taoto")
    await officer.wait_for("Tạo tổ mới ở ấp/khu phố nào")
    await press_crafted(officer, f"ot:h:{bad}")
    await officer.command("huy")
    await officer.wait_for("Đã hủy")

    await officer.command("thongbao")
    await officer.wait_for("Soạn thông báo")
    await officer.send("Họp dân lúc 19:00")
    await officer.wait_for("Gửi tới ai")
    for kind in "htkg":
        await press_crafted(officer, f"an:{kind}:{bad}")
    await officer.press("Toàn xã")
    await officer.wait_for("Sẽ gửi tới")
    await officer.press("Hẹn giờ")
    await officer.wait_for("Gửi lúc nào")
    await press_crafted(officer, f"an:in:{bad}")
    await officer.send("lúc nào đó")  # still asking when: a typed time is read
    await officer.wait_for("Không hiểu “lúc nào đó”")
    await officer.command("huy")
    await officer.wait_for("Đã hủy, không gửi gì")

"""One open flow per person: a command always ends the open flow and runs, /huy leaves it,
nothing sent afterwards goes to the old flow — also across a restart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from bot.context import AnninhApp
from bot.sandbox import BotMessage, Sandbox, SimGroup, SimUser
from bot.store import Store
from bot.text import matches
from tests.flow_steps import (
    adding_to_a_report,
    ask_join_code,
    asking_the_phone,
    choosing_the_gong_kind,
    consent,
    naming_a_new_team,
    report_at_location,
    start_onboarding,
    writing_an_announcement,
)
from tests.helpers import LEADER_ID, OFFICER_ID, BotRunner, onboard
from tests.test_report import file_report

PLAIN = "xin chào"  # matches no category, hamlet, team code or button

COMMANDS = ["start", "thamgia", "baotin", "huy", "cancel", "tindabao", "to", "keng", "thongbao",
            "thongke", "caidat", "dulieu", "xoadulieu", "trogiup", "tinmo", "lichphat", "taoto",
            "totruong", "khonghieu"]


@dataclass(frozen=True)
class OpenFlow:
    """A flow left open by `person` (a role: new, resident, leader, officer), its name, and
    what the bot says if that flow takes the plain message."""

    person: str
    flow: str
    open: Callable[[SimUser], Awaitable[None]]
    takes_plain: str


OPEN_FLOWS = {
    "onboarding-consent": OpenFlow("new", "onboarding", start_onboarding, "bấm Đồng ý"),
    "onboarding-hamlet": OpenFlow("resident", "onboarding", consent, "Không tìm thấy ấp"),
    "join-code": OpenFlow("resident", "join", ask_join_code, "Không tìm thấy tổ"),
    "report": OpenFlow("resident", "report", report_at_location, "Địa điểm:"),
    "myreports-addition": OpenFlow("resident", "myreports", adding_to_a_report,
                                   "thông tin bổ sung cho công an xã"),
    "settings-phone": OpenFlow("resident", "phone", asking_the_phone, "Vui lòng bấm nút"),
    "alarm": OpenFlow("leader", "alarm", choosing_the_gong_kind, "Việc gì"),
    "announce": OpenFlow("officer", "announce", writing_an_announcement, "Gửi tới ai"),
    "new-team": OpenFlow("officer", "new_team", naming_a_new_team, "Đã tạo"),
}

NOT_CONSENTED = ("new", "leader", "officer")  # the sample's leader and officer never ran /start
ANSWERS = {  # the first words of each command's own answer, whoever sends it
    "huy": "Đã hủy", "cancel": "Đã hủy", "to": "chưa tham gia tổ nào",
    "keng": "Chỉ tổ trưởng và công an xã", "thongbao": "Chỉ cán bộ công an xã mới gửi",
    "thongke": "không có quyền", "caidat": "Cài đặt", "dulieu": "Toàn bộ dữ liệu",
    "xoadulieu": "Xóa dữ liệu của bạn", "trogiup": "Hướng dẫn", "tinmo": "không có quyền",
    "lichphat": "Chỉ cán bộ công an xã mới xem", "taoto": "không có quyền",
    "totruong": "không có quyền", "khonghieu": "Không hiểu lệnh này",
    "start": "Bạn đã đăng ký", "thamgia": "Gõ mã tổ", "baotin": "Báo tin cho công an xã",
    "tindabao": "Tin bạn đã báo|chưa báo tin nào",
}
ROLE_ANSWERS = {
    ("leader", "keng"): "Việc gì", ("officer", "keng"): "Đánh kẻng an ninh cho ai",
    ("officer", "thongbao"): "Soạn thông báo", ("officer", "thongke"): "Thống kê",
    ("officer", "tinmo"): "không còn tin báo", ("officer", "lichphat"): "Lịch phát",
    ("officer", "taoto"): "Tạo tổ mới", ("officer", "totruong"): "Cách dùng",
}
OPENS = {  # (person, command) → the flow the command opens, and its answer to the plain message
    ("new", "start"): ("onboarding", "bấm Đồng ý"),
    ("leader", "start"): ("onboarding", "bấm Đồng ý"),
    ("officer", "start"): ("onboarding", "bấm Đồng ý"),
    ("resident", "thamgia"): ("join", "Không tìm thấy tổ"),
    ("resident", "baotin"): ("report", "chọn loại sự việc"),
    ("leader", "keng"): ("alarm", "Việc gì"),
    ("officer", "keng"): ("alarm", "Đánh kẻng an ninh cho ai"),
    ("officer", "thongbao"): ("announce", "Gửi tới ai"),
    ("officer", "taoto"): ("new_team", "Tạo tổ mới"),
}
OUTSIDE = {"new": "Để báo tin về an ninh", "resident": "Để báo tin về an ninh",
           "leader": "Các lệnh của bạn", "officer": "Các lệnh của bạn"}


def answer_to(person: str, command: str) -> str:
    if person in NOT_CONSENTED and command == "start":
        return "Chào mừng"
    if person in NOT_CONSENTED and command in ("thamgia", "baotin", "tindabao", "to"):
        return "cần đồng ý điều khoản"
    return ROLE_ANSWERS.get((person, command), ANSWERS[command])


def any_of(markers: str) -> Callable[[BotMessage], bool]:
    return lambda message: any(matches(message.text, m) for m in markers.split("|"))


def person_for(sandbox: Sandbox, role: str) -> SimUser:
    user_id = {"new": 3901, "resident": 3902, "leader": LEADER_ID, "officer": OFFICER_ID}[role]
    return sandbox.user(user_id, first_name=role.capitalize())


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("open_flow", list(OPEN_FLOWS))
@pytest.mark.usefixtures("bot")
async def test_a_command_ends_the_open_flow_and_runs(
    sandbox: Sandbox, open_flow: str, command: str
) -> None:
    spec = OPEN_FLOWS[open_flow]
    person = person_for(sandbox, spec.person)
    await spec.open(person)
    first = len(person.inbox)

    await person.command(command)
    await person.wait_for(predicate=any_of(answer_to(spec.person, command)))
    opened, after = OPENS.get((spec.person, command), (None, OUTSIDE[spec.person]))
    await person.send(PLAIN)
    await person.wait_for(after)

    later = person.inbox[first:]
    if opened != spec.flow:  # the command started another flow, or none: the old one is over
        assert not [m.text for m in later if matches(m.text, spec.takes_plain)], (
            person.transcript(12))
        assert person.state.keyboard is None  # a keyboard the old flow showed is taken off
    if command in ("huy", "cancel"):  # answered once
        assert sum(matches(m.text, "Đã hủy") for m in later) == 1, person.transcript(12)


async def test_the_hamlet_question_lets_go_of_a_report_even_across_a_restart(
    sandbox: Sandbox, runner: BotRunner, store: Store, staff_group: SimGroup
) -> None:
    """The reported story: after consent, /baotin; the answers go to the report, not to the
    optional hamlet question, before and after a restart of the bot."""
    await runner.start()
    lan = sandbox.user(3911, first_name="Lan")
    await consent(lan)
    await lan.command("baotin")
    await lan.wait_for("Báo tin cho công an xã")
    await lan.send("trom cap")
    await lan.wait_for("chuyện gì đã xảy ra")
    await runner.stop()

    await runner.start()
    await lan.send("Có trộm vào nhà tôi, giúp với")
    await lan.wait_for("ở đâu")
    await lan.press("Bỏ qua")
    await lan.wait_for("Bạn có ảnh không")
    await lan.press("Bỏ qua")
    await lan.wait_for("Bạn muốn gửi tin thế nào")
    await lan.press("Gửi kèm tên")
    await lan.wait_for("Kiểm tra lại")
    await lan.press("Gửi")
    sent = await lan.wait_for("Đã gửi tin báo")
    code = next(word for word in sent.text.split() if word.startswith("TB-"))
    await staff_group.wait_for(code)
    assert not [m for m in lan.inbox if matches(m.text, "Không tìm thấy")]
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.description == "Có trộm vào nhà tôi, giúp với"


async def test_a_flow_ended_by_a_command_stays_ended_across_a_restart(
    sandbox: Sandbox, runner: BotRunner, store: Store
) -> None:
    await runner.start()
    binh = sandbox.user(3912, first_name="Bình")
    await report_at_location(binh)
    await binh.command("to")
    await binh.wait_for("chưa tham gia tổ nào")
    rows = await store.db.fetchall(  # ended in the database at once, not on the next flush
        "SELECT name FROM ptb_conversations WHERE key LIKE ?", ("%3912]",))
    assert rows == []
    await runner.stop()

    await runner.start()
    await binh.send("Số 12 đường Hưng Nhơn")  # would have been the report's address
    await binh.wait_for("Để báo tin về an ninh")
    assert not [m for m in binh.inbox if matches(m.text, "Địa điểm:")]
    assert await store.db.fetchall("SELECT id FROM reports") == []


@pytest.mark.usefixtures("bot")
async def test_cancel_says_so_once_and_then_there_is_nothing_to_cancel(sandbox: Sandbox) -> None:
    an = sandbox.user(3913, first_name="An")
    await report_at_location(an)
    await an.command("huy")
    cancelled = await an.wait_for("Đã hủy tin báo")
    assert an.state.keyboard is None and cancelled.raw["chat"]["id"] == an.id
    await an.command("cancel")
    await an.wait_for("Không có thao tác nào đang làm")
    await an.send("Bỏ qua")  # the old keyboard's words: no longer the report's
    await an.wait_for("Để báo tin về an ninh")


@pytest.mark.usefixtures("bot")
async def test_a_flow_started_by_a_button_ends_the_open_one(
    sandbox: Sandbox, officer: SimUser, staff_group: SimGroup
) -> None:
    lan = sandbox.user(3914, first_name="Lan")
    await onboard(lan)
    code = await file_report(lan)
    await staff_group.wait_for(code)
    await writing_an_announcement(officer)
    await officer.press("Từ chối", chat=staff_group)
    await staff_group.wait_for(predicate=lambda m: "Thiếu thông tin" in m.labels)
    await officer.press("✏️ Lý do khác", chat=staff_group)  # the reason's flow starts
    await officer.wait_for("Đã dừng việc đang làm dở: soạn thông báo")
    await staff_group.wait_for("lý do từ chối tin")
    await officer.send("Họp dân lúc 19h tại nhà văn hóa ấp")  # not the announcement any more
    await officer.wait_for("Các lệnh của bạn")
    assert not [m for m in officer.inbox if matches(m.text, "Gửi tới ai")]


@pytest.mark.usefixtures("bot")
async def test_an_older_settings_menu_is_stale_once_another_flow_runs(
    sandbox: Sandbox,
) -> None:
    """The settings menu is a flow (bot/dialog): once /baotin runs, its buttons are out of
    date, and the report goes on."""
    chi = sandbox.user(3915, first_name="Chi")
    await onboard(chi)
    await chi.command("caidat")
    await chi.wait_for("Cài đặt")
    await chi.command("baotin")
    await chi.wait_for("Báo tin cho công an xã")
    await chi.press("Trộm cắp")
    await chi.wait_for("chuyện gì đã xảy ra")
    answer = await chi.answer_for(await chi.press("Số điện thoại"))  # on the settings menu
    assert answer.show_alert and "Nút này đã cũ" in (answer.text or "")
    await chi.send("Mất xe máy")  # still the report's description
    await chi.wait_for("Sự việc xảy ra ở đâu")
    assert not [m for m in chi.inbox if any_of("gọi lại cho bạn|Đã dừng")(m)]


@pytest.mark.usefixtures("bot")
async def test_a_command_for_another_bot_leaves_the_flow_alone(officer: SimUser) -> None:
    await writing_an_announcement(officer)
    await officer.send("/thongke@another_bot")  # as in a group with several bots
    await officer.wait_for("Không hiểu lệnh này")
    await officer.send("Họp dân lúc 19h tại nhà văn hóa ấp")
    await officer.wait_for("Gửi tới ai")
    assert not [m for m in officer.inbox if matches(m.text, "Đã dừng")]


async def test_a_command_in_the_group_ends_the_private_flow(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, staff_group: SimGroup
) -> None:
    del bot
    await writing_an_announcement(officer)
    await staff_group.command(officer, "tinmo")
    await staff_group.wait_for("không còn tin báo")
    await officer.wait_for("Đã dừng việc đang làm dở: soạn thông báo")  # told where it was
    await officer.send("Họp dân lúc 19h tại nhà văn hóa ấp")
    await officer.wait_for("Các lệnh của bạn")

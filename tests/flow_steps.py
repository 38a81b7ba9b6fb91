"""Conversation steps that leave a person's flow open at a given step (for tests)."""

from __future__ import annotations

from bot.sandbox import SimUser
from tests.helpers import onboard

# --- onboarding (a person who never consented) ------------------------------------------------


async def start_onboarding(person: SimUser) -> None:
    await person.command("start")
    await person.wait_for("Nghị định 13/2023")


async def consent(person: SimUser) -> None:
    await start_onboarding(person)
    await person.press("Đồng ý")
    await person.wait_for("Bạn ở ấp/khu phố nào")


async def choosing_tags(person: SimUser) -> None:
    await consent(person)
    await person.press("Ấp Hưng Nhơn")
    await person.wait_for("Bạn có thuộc nhóm nào")


# --- a resident's flows ------------------------------------------------------------------------


async def ask_join_code(person: SimUser) -> None:
    await onboard(person)
    await person.command("thamgia")
    await person.wait_for("Gõ mã tổ")


async def report_at_category(person: SimUser) -> None:
    await onboard(person)
    await person.command("baotin")
    await person.wait_for("Báo tin cho công an xã")


async def report_at_description(person: SimUser) -> None:
    await report_at_category(person)
    await person.press("Trộm cắp")
    await person.wait_for("chuyện gì đã xảy ra")


async def report_at_location(person: SimUser) -> None:
    await report_at_description(person)
    await person.send("Mất xe máy trước nhà")
    await person.wait_for("Sự việc xảy ra ở đâu")
    await person.wait_for("Các nút gửi vị trí")
    assert person.state.keyboard is not None


async def report_at_photos(person: SimUser) -> None:
    await report_at_location(person)
    await person.press("Bỏ qua")
    await person.wait_for("Bạn có ảnh không")


async def report_at_identity(person: SimUser) -> None:
    await report_at_photos(person)
    await person.press("Bỏ qua")
    await person.wait_for("Bạn muốn gửi tin thế nào")


async def report_at_confirm(person: SimUser) -> None:
    await report_at_identity(person)
    await person.press("Ẩn danh")
    await person.wait_for("Kiểm tra lại")


async def adding_to_a_report(person: SimUser) -> None:
    await report_at_confirm(person)
    await person.press("Gửi")
    await person.wait_for("Đã gửi tin báo")
    await person.command("tindabao")
    await person.wait_for("Tin bạn đã báo")
    await person.press("Bổ sung")
    await person.wait_for("Gõ thông tin bổ sung")


async def asking_the_phone(person: SimUser) -> None:
    await onboard(person)
    await person.command("caidat")
    await person.wait_for("Cài đặt")
    await person.press("Số điện thoại")
    await person.wait_for("Không bắt buộc")
    assert person.state.keyboard is not None


# --- the gong (a leader, or an officer for the scope) -------------------------------------------


async def choosing_the_gong_scope(officer: SimUser) -> None:
    await officer.command("keng")
    await officer.wait_for("Đánh kẻng an ninh cho ai")


async def choosing_the_gong_kind(leader: SimUser) -> None:
    await leader.command("keng")
    await leader.wait_for("Việc gì")


async def confirming_the_gong(leader: SimUser) -> None:
    await choosing_the_gong_kind(leader)
    await leader.press("Trộm")
    await leader.wait_for("Sẵn sàng thì bấm")


# --- an officer's flows -------------------------------------------------------------------------


async def writing_an_announcement(officer: SimUser) -> None:
    await officer.command("thongbao")
    await officer.wait_for("Soạn thông báo")


async def choosing_the_audience(officer: SimUser) -> None:
    await writing_an_announcement(officer)
    await officer.send("Họp dân lúc 19h tại nhà văn hóa ấp")
    await officer.wait_for("Gửi tới ai")


async def previewing_the_announcement(officer: SimUser) -> None:
    await choosing_the_audience(officer)
    await officer.press("Toàn xã")
    await officer.wait_for("Bản xem trước")


async def timing_the_announcement(officer: SimUser) -> None:
    await previewing_the_announcement(officer)
    await officer.press("Hẹn giờ")
    await officer.wait_for("Gửi lúc nào")


async def choosing_the_team_hamlet(officer: SimUser) -> None:
    await officer.command("taoto")
    await officer.wait_for("Tạo tổ mới")


async def choosing_the_team_kind(officer: SimUser) -> None:
    await choosing_the_team_hamlet(officer)
    await officer.press("Ấp Hưng Nhơn")
    await officer.wait_for("mô hình nào")


async def naming_a_new_team(officer: SimUser) -> None:
    await choosing_the_team_kind(officer)
    await officer.press("Tổ an ninh nhân dân")
    await officer.wait_for("Gõ tên tổ")

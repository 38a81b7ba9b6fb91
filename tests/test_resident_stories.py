"""A resident's stories told once and run on Telegram and on Zalo (tests/people.py): onboarding
with consent, reporting, my reports and adding to one, settings, an announcement, leaving a
flow, a message the bot does not understand, and deleting one's data. Teams and the gong:
test_team_stories.py. What only one channel has stays in that channel's tests
(test_report.py, test_zalo_resident.py, …)."""

from __future__ import annotations

import pytest

from bot.context import AnninhApp
from bot.models import Audience, Report
from bot.sandbox import SimGroup, SimUser
from bot.store import Store
from tests.helpers import services_of
from tests.people import PLACE, People, Person, tracking_code

pytestmark = pytest.mark.usefixtures("bot")


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config + '\n[broadcast]\nquiet_hours = ""\n'


async def test_onboarding_asks_consent_then_stores_hamlet_and_groups(
    people: People, store: Store,
) -> None:
    lan = people(3001, "Lan Nguyễn")
    await lan.start()
    welcome = await lan.wait_for("Chào mừng")
    assert "113" in welcome.text and "114" in welcome.text and "115" in welcome.text
    consent = await lan.wait_for("Nghị định 13/2023")
    assert consent.labels[:2] == ["✅ Đồng ý", "Từ chối"]
    await lan.choose("Đồng ý")
    ask = await lan.wait_for("ấp")
    assert "Ấp Hưng Nhơn" in ask.labels
    await lan.send("hung hiep")  # typed without diacritics
    await lan.wait_for("nhóm")
    await lan.choose("Thanh niên")
    assert "✓ Thanh niên" in (await lan.wait_for("nhóm")).labels
    await lan.choose("Xong")
    done = await lan.wait_for("Cảm ơn bạn")
    assert "Ấp Hưng Hiệp" in done.text and "Xã Hưng Lộc" in done.text
    assert "/thamgia" in done.text and "tổ trưởng" not in done.text  # a resident's next steps

    resident = await store.residents.get(await lan.resident_id(store) or 0)
    assert resident is not None
    assert resident.consent == "given" and resident.consent_version and resident.consent_at
    assert resident.display_name == "Lan Nguyễn"
    hamlet = await store.areas.hamlet(resident.hamlet_id or 0)
    assert hamlet is not None and hamlet.code == "hung-hiep"
    assert await store.residents.tags(resident.id) == ["thanh-nien"]


async def file_report(person: Person, *, anonymous: bool) -> str:
    """Category, description, place, a photo, named or not, "Gửi": the tracking code."""
    await person.command("baotin")
    ask = await person.wait_for("Báo tin cho công an xã")
    assert any("Trộm cắp" in label for label in ask.labels)
    await person.choose("Trộm cắp")
    await person.wait_for("chuyện gì đã xảy ra")
    await person.send("Mất xe máy Honda trước nhà lúc 2 giờ sáng")
    await person.wait_for("ở đâu")
    await person.place("Ấp Dầu Giây", "gần trường tiểu học")
    await person.wait_for("Bạn có ảnh không")
    await person.send_photo("biển số 60B1")
    await person.wait_for("Đã nhận ảnh 1")
    await person.choose("Xong")
    await person.wait_for("Bạn muốn gửi tin thế nào")
    await person.choose("Ẩn danh" if anonymous else "Gửi kèm tên")
    summary = await person.wait_for("Kiểm tra lại tin báo")
    assert "Mất xe máy Honda" in summary.text and "<b>" not in summary.text
    await person.choose("Gửi")
    code = tracking_code(await person.wait_for("Đã gửi tin báo"))
    assert code[3:].isdigit()
    return code


def assert_placed(report: Report, person: Person, hamlets: dict[int, str]) -> None:
    """Where the person said it happened: the shared location, or the hamlet and landmark."""
    if person.channel == "telegram":
        assert (report.latitude, report.longitude) == PLACE
    else:
        assert report.address == "gần trường tiểu học, Ấp Dầu Giây"
        assert hamlets[report.hamlet_id or 0] == "Ấp Dầu Giây"


async def test_a_named_report_reaches_the_officers_with_its_photo_and_place(
    people: People, store: Store, staff_group: SimGroup,
) -> None:
    """(Anonymous reports on each channel: test_officer_stories.py.)"""
    minh = people(3004, "Minh Trần")
    await minh.onboard()
    code = await file_report(minh, anonymous=False)
    card = await staff_group.wait_for(code)
    assert "Trộm cắp" in card.text and "Mất xe máy Honda" in card.text
    assert "Minh Trần" in card.text and "ẩn danh" not in card.text
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "submitted" and not report.anonymous
    assert report.reporter_id == await minh.resident_id(store)
    hamlets = {h.id: h.name for h in await store.areas.hamlets(report.commune_id or 0)}
    assert_placed(report, minh, hamlets)
    [photo] = await store.reports.photos(report.id)
    assert photo.media_key is not None  # kept by anninh, whatever the channel


async def test_the_summary_lets_the_resident_change_one_part(
    people: People, store: Store, staff_group: SimGroup,
) -> None:
    """"Sửa" at the summary: the text, then the place, each asked again alone, and the
    summary is back each time; what is sent is what was changed."""
    hoa = people(3010, "Hoa Lê")
    await hoa.onboard()
    await hoa.command("baotin")
    await hoa.wait_for("Báo tin cho công an xã")
    await hoa.choose("Trộm cắp")
    await hoa.wait_for("chuyện gì đã xảy ra")
    await hoa.send("Mất xe đạp")
    await hoa.wait_for("ở đâu")
    await hoa.choose("Bỏ qua")
    await hoa.wait_for("Bạn có ảnh không")
    await hoa.choose("Bỏ qua")
    await hoa.wait_for("Bạn muốn gửi tin thế nào")
    await hoa.choose("Ẩn danh")
    await hoa.wait_for("Kiểm tra lại tin báo")
    await hoa.choose("Sửa")
    await hoa.wait_for("sửa phần nào")
    await hoa.choose("Nội dung")
    await hoa.wait_for("chuyện gì đã xảy ra")
    await hoa.send("Mất xe đạp màu xanh trước cổng chợ")
    summary = await hoa.wait_for("Kiểm tra lại tin báo")  # no place asked again
    assert "màu xanh trước cổng chợ" in summary.text and "ẩn danh" in summary.text
    await hoa.choose("Sửa")
    await hoa.wait_for("sửa phần nào")
    await hoa.choose("Địa điểm")
    await hoa.wait_for("ở đâu")
    await hoa.place("Ấp Dầu Giây", "gần trường tiểu học")
    summary = await hoa.wait_for("Kiểm tra lại tin báo")  # no photos asked again
    assert "màu xanh" in summary.text
    await hoa.choose("Gửi")
    code = tracking_code(await hoa.wait_for("Đã gửi tin báo"))
    await staff_group.wait_for(code)
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.description == "Mất xe đạp màu xanh trước cổng chợ"
    assert report.anonymous
    hamlets = {h.id: h.name for h in await store.areas.hamlets(report.commune_id or 0)}
    assert_placed(report, hoa, hamlets)


async def test_my_reports_list_them_and_a_resident_adds_to_one(
    people: People, store: Store, staff_group: SimGroup,
) -> None:
    an = people(3005, "An Phạm")
    await an.onboard()
    code = await file_report(an, anonymous=False)
    await staff_group.wait_for(code)
    await an.command("tindabao")
    listing = await an.wait_for("Tin bạn đã báo")
    assert code in listing.text and "chờ tiếp nhận" in listing.text
    await an.choose(f"Bổ sung {code}")
    await an.wait_for("Gõ thông tin bổ sung")
    await an.send("Xe màu xanh, có giỏ phía trước")
    await an.wait_for(code)
    added = await staff_group.wait_for("Xe màu xanh")
    assert code in added.text and "An Phạm" in added.text
    await an.command("tindabao", code.lower())  # with its code: straight to the addition
    assert code in (await an.wait_for("Gõ thông tin bổ sung")).text
    await an.command("tindabao", "TB-999999")  # not theirs: nothing named
    await an.wait_for("không phải của bạn")
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "submitted"


async def test_settings_change_language_mute_hamlet_and_groups(
    people: People, store: Store,
) -> None:
    lan = people(3006, "Lan")
    await lan.onboard()

    async def stored() -> tuple[str, bool, int | None, list[str]]:
        found = await store.residents.get(await lan.resident_id(store) or 0)
        assert found is not None
        tags = await store.residents.tags(found.id)
        return found.language, found.mute_propaganda, found.hamlet_id, tags

    await lan.command("caidat")
    menu = await lan.wait_for("Cài đặt")
    assert "Ấp Hưng Nhơn, Xã Hưng Lộc" in menu.text and "đang nhận" in menu.text
    await lan.choose("English")
    assert "✓ English" in (await lan.wait_for("Settings")).labels
    assert (await stored())[0] == "en"
    await lan.choose("Tiếng Việt")
    await lan.wait_for("Cài đặt")

    await lan.choose("Tắt tuyên truyền")
    muted = await lan.wait_for("đã tắt")
    assert "kẻng an ninh và thông báo khẩn" in muted.text
    assert "🔔 Bật tuyên truyền" in muted.labels
    assert (await stored())[1]
    await lan.choose("Bật tuyên truyền")
    await lan.wait_for("đang nhận")
    assert not (await stored())[1]

    await lan.choose("Đổi ấp")
    await lan.wait_for("ấp/khu phố nào")
    await lan.choose("Ấp Dầu Giây")
    assert "Ấp Dầu Giây" in (await lan.wait_for("Cài đặt")).text
    hamlet = await store.areas.hamlet((await stored())[2] or 0)
    assert hamlet is not None and hamlet.code == "dau-giay"
    await lan.choose("Nhóm")
    await lan.wait_for("nhóm nào")
    await lan.choose("Phụ nữ")
    assert "✓ Phụ nữ" in (await lan.wait_for("nhóm nào")).labels
    await lan.choose("Quay lại")
    assert "Nhóm: Phụ nữ" in (await lan.wait_for("Cài đặt")).text
    assert (await stored())[3] == ["phu-nu"]
    await lan.choose("Xong")
    await lan.wait_for("Đã lưu cài đặt")


async def test_an_announcement_reaches_the_resident_as_it_was_typed(
    people: People, officer: SimUser,
) -> None:
    hoa = people(3007, "Hoa")
    await hoa.onboard()
    await officer.command("thongbao")
    await officer.wait_for("Soạn thông báo")
    await officer.send("Họp dân lúc 19:00 tại nhà văn hóa ấp <Hưng Nhơn> & đoàn thể")
    await officer.wait_for("Gửi tới ai")
    await officer.press("Toàn xã")
    await officer.wait_for("Sẽ gửi tới")
    await officer.press("Gửi ngay")
    heard = await hoa.wait_for("Họp dân", timeout=10)
    # the bot's markup escapes it for Telegram; each channel shows the plain text back
    assert heard.text.endswith("nhà văn hóa ấp <Hưng Nhơn> & đoàn thể")


async def test_huy_and_a_command_in_the_middle_of_a_flow_end_it(
    people: People, store: Store, staff_group: SimGroup,
) -> None:
    binh = people(3009, "Bình")
    await binh.onboard()
    await binh.command("baotin")
    await binh.wait_for("Sự việc thuộc loại nào")
    await binh.choose("Trộm cắp")
    await binh.wait_for("chuyện gì đã xảy ra")
    await binh.command("huy")
    await binh.wait_for("Đã hủy tin báo")
    await binh.command("huy")
    await binh.wait_for("Không có thao tác nào")
    await binh.send("Mất xe đạp")  # no longer in the report: answered as outside any flow
    await binh.wait_for("Để báo tin về an ninh")

    await binh.command("baotin")
    await binh.wait_for("Sự việc thuộc loại nào")
    await binh.command("caidat")  # another command ends the report and runs
    await binh.wait_for("Cài đặt")
    await binh.send("Mất xe đạp")  # neither the report's nor a setting
    await binh.wait_for("Để báo tin về an ninh")
    assert await store.reports.of_reporter(await binh.resident_id(store) or 0) == []
    assert staff_group.inbox == []


async def test_a_message_the_bot_does_not_understand_gets_the_emergency_numbers(
    people: People,
) -> None:
    an = people(3010, "An")
    await an.onboard()
    await an.send("cảm ơn")
    said = await an.wait_for("Để báo tin về an ninh")
    assert all(number in said.text for number in ("113", "114", "115"))
    assert "baotin" in said.text
    await an.send_sticker()
    await an.wait_for("113")


async def test_deleting_ones_data_leaves_every_team_and_audience(
    people: People, store: Store,
) -> None:
    xuyen = people(3011, "Xuyến Quách")
    await xuyen.onboard()
    await xuyen.command("thamgia", "HHDP")  # a team that takes members at once
    await xuyen.wait_for("Bạn đã tham gia")
    person = await xuyen.resident_id(store)
    assert person is not None
    await xuyen.command("xoadulieu")
    ask = await xuyen.wait_for("Xóa dữ liệu của bạn?")
    assert ask.labels == ["🗑 Xóa", "Hủy"]
    await xuyen.choose("Hủy")
    await xuyen.wait_for("Dữ liệu của bạn vẫn được giữ nguyên")
    kept = await store.residents.get(person)
    assert kept is not None and kept.has_consented

    await xuyen.command("xoadulieu")
    await xuyen.wait_for("Xóa dữ liệu của bạn?")
    await xuyen.choose("Xóa")
    said = await xuyen.wait_for("Đã xóa dữ liệu của bạn")
    which = "Telegram" if xuyen.channel == "telegram" else "Zalo"
    assert f"mã {which}" in said.text and "không còn gắn với bạn" in said.text
    assert "1 tổ" in said.text
    assert await store.residents.get(person) is None
    assert await xuyen.resident_id(store) is None
    assert await store.memberships.of_resident(person) == []
    assert await store.residents.tags(person) == []
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    everyone = await store.broadcasts.recipients(Audience(commune.id), include_muted=True)
    assert person not in {recipient.resident_id for recipient in everyone}
    await xuyen.command("to")  # a stranger now: asked to agree to the terms first
    await xuyen.wait_for("cần đồng ý điều khoản")


async def test_someone_who_declined_consent_reports_anonymously_and_is_forgotten_at_the_end(
    people: People, store: Store, staff_group: SimGroup, officer: SimUser, bot: AnninhApp,
) -> None:
    """Declining consent does not stop a report: it goes anonymously, with nothing kept but
    the account the answer goes to; once told the report's end, that account is gone too."""
    tuan = people(3011, "Tuấn")
    await tuan.start()
    await tuan.wait_for("Đồng ý xử lý dữ liệu cá nhân")
    await tuan.choose("Từ chối")
    declined = await tuan.wait_for("Bạn đã từ chối")
    assert "báo tin ẩn danh" in declined.text
    await tuan.command("baotin")
    await tuan.wait_for("tin này sẽ được gửi ẩn danh")
    await tuan.wait_for("Sự việc thuộc loại nào")
    await tuan.choose("Ma túy")
    await tuan.wait_for("chuyện gì đã xảy ra")
    await tuan.send("Có người tụ tập hút chích ở bãi đất trống sau chợ")
    await tuan.wait_for("ở đâu")
    await tuan.choose("Bỏ qua")
    await tuan.wait_for("Bạn có ảnh không")
    await tuan.choose("Bỏ qua")
    summary = await tuan.wait_for("Kiểm tra lại tin báo")  # no "Ẩn danh or named?" step
    assert "Người báo: ẩn danh" in summary.text
    await tuan.choose("Gửi")
    code = tracking_code(await tuan.wait_for("Đã gửi tin báo"))
    card = await staff_group.wait_for(code)
    assert "ẩn danh" in card.text and "Tuấn" not in card.text
    person = await tuan.resident_id(store)
    assert person is not None
    resident = await store.residents.get(person)
    assert resident is not None and resident.display_name is None and resident.hamlet_id is None

    await officer.press("Từ chối", chat=staff_group)
    await staff_group.wait_for(predicate=lambda m: "Thiếu thông tin" in m.labels)
    await officer.press("Thiếu thông tin", chat=staff_group)
    told = await tuan.wait_for("không được tiếp nhận")
    assert code in told.text
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "rejected" and report.commune_id is not None
    [notice] = await store.db.fetchall(
        "SELECT id FROM broadcasts WHERE origin = ?", (f"report:{code}:rejected",))
    await services_of(bot).delivery.wait_done(int(notice[0]), timeout=10)
    assert await tuan.resident_id(store) is None  # once told, nothing of them is kept
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.reporter_id is None

"""Officers and team leaders on Zalo act on reports as the staff group does on Telegram: a new
report reaches them privately with the card's choices as numbered lines; a typed number acts
once; the reporter is told on their own messenger, the group's card shows the new state, and
each officer on Zalo gets one short message per change; a late action is refused with the
report's state."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.config import Config
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.sandbox.zalo import SimZaloUser, ZaloSandbox
from bot.services.areas import load_areas, parse_areas
from bot.store import Store
from tests.helpers import SAMPLE_AREAS, onboard, onboard_on_zalo
from tests.test_report import file_report
from tests.test_triage import _reported
from tests.test_zalo_resident import file_on_zalo

pytestmark = pytest.mark.usefixtures("bot")


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config


async def zalo_staff(
    zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path, *,
    officers: int = 1, group: bool = True, leader: bool = False,
) -> list[SimZaloUser]:
    """Officers of the sample commune on Zalo (beside Telegram's 1001) — and, with `leader`,
    the leader of "Tổ an ninh nhân dân số 1" last — loaded from an areas file, each having
    written to the bot (Zalo lets a bot answer only those) and consented."""
    people = [zalo.user(81 + n, f"Cán bộ Zalo {n + 1}") for n in range(officers)]
    text = SAMPLE_AREAS.read_text(encoding="utf-8").replace(
        "officers = [1001]",
        "officers = [1001, " + ", ".join(f'"zalo:{p.id}"' for p in people) + "]")
    if leader:
        people.append(zalo.user(89, "Tổ trưởng Zalo"))
        text = text.replace("leader = 2001", f'leader = "zalo:{people[-1].id}"')
    if not group:
        text = text.replace("staff_chat_id = -1001000000001", "")
    areas = tmp_path / "areas.toml"
    areas.write_text(text, encoding="utf-8")
    await load_areas(store, parse_areas(areas, Catalog.load(config.content.folder)), "test")
    for person in people:
        await onboard_on_zalo(person)
    return people


async def test_a_zalo_officer_accepts_a_report_filed_on_telegram_by_its_number(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path,
    staff_group: SimGroup,
) -> None:
    (hai,) = await zalo_staff(zalo, store, config, tmp_path)
    lan, code = await _reported(sandbox, staff_group, 3601)
    card = await hai.wait_for(code)
    assert card.labels == ["✅ Tiếp nhận", "👥 Giao tổ", "✔️ Đã xử lý", "⛔ Từ chối"]
    # Filed anonymously: no name, and not her hamlet (Ấp Hưng Nhơn): the place named none.
    assert "Lan" not in card.text and "ẩn danh" in card.text and "Hưng Nhơn" not in card.text
    await hai.choose("Tiếp nhận")  # typed as its number
    told = await lan.wait_for("đã được công an xã tiếp nhận")
    assert code in told.text
    group_card = await staff_group.wait_for("Đã tiếp nhận — Cán bộ Zalo 1")
    assert code in group_card.text and "✅ Tiếp nhận" not in group_card.labels
    changed = await hai.wait_for("Đã tiếp nhận")
    assert code in changed.text and changed.labels == ["👥 Giao tổ", "✔️ Đã xử lý", "⛔ Từ chối"]
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "accepted"
    officer_id = await store.accounts.resident_of("zalo", hai.id)
    (entry,) = [e for e in await store.audit.entries("report", report.id)
                if e.action == "report.accept"]
    assert entry.actor_id == officer_id

    await hai.choose("Đã xử lý")  # the change's own choices answer the next number
    await lan.wait_for("đã được xử lý")
    await staff_group.wait_for("Đã xử lý — Cán bộ Zalo 1")
    resolved = await hai.wait_for("Đã xử lý —")
    assert resolved.labels == [  # what came of it may follow, told to the reporter
        "🔄 Mở lại", "Đã xác minh, giải quyết xong", "Đã nhắc nhở, giáo dục",
        "Đã lập biên bản, xử phạt", "Đã hòa giải", "Đã chuyển cơ quan chức năng",
        "✏️ Kết quả khác", "🏅 Khen người báo tin"]
    assert sum(code in m.text for m in hai.messages) == 3  # the card and one per change

    await hai.send("5")  # "Đã hòa giải", by its number
    outcome = await lan.wait_for("Kết quả xử lý tin")
    assert code in outcome.text and "Đã hòa giải" in outcome.text
    await hai.wait_for("Đã báo kết quả tin")
    await lan.command("tindabao")
    assert "Kết quả: Đã hòa giải" in (await lan.wait_for("Tin bạn đã báo")).text
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "resolved"
    assert report.state_note == "Đã hòa giải"
    assert [e.action for e in await store.audit.entries("report", report.id)][-1] == (
        "report.outcome")


async def test_a_late_action_is_refused_with_the_reports_state_on_either_channel(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path,
    staff_group: SimGroup, officer: SimUser,
) -> None:
    hai, ba = await zalo_staff(zalo, store, config, tmp_path, officers=2)
    lan, code = await _reported(sandbox, staff_group, 3602)
    await hai.wait_for(code)
    await ba.wait_for(code)
    await hai.choose("Tiếp nhận")
    await staff_group.wait_for("Đã tiếp nhận — Cán bộ Zalo 1")
    await ba.wait_for("Đã tiếp nhận —")  # her one message about the change
    await ba.send("tiếp nhận")  # the card's words, a moment too late
    refusal = await ba.wait_for("trạng thái khác")
    assert code in refusal.text and "đã tiếp nhận" in refusal.text
    # On Telegram: a press that left before the card was edited.
    answer = await officer.answer_for(
        await officer.press_data(f"tr:acc:{code[3:]}", chat=staff_group))
    assert answer.show_alert and "trạng thái khác: ✅ đã tiếp nhận" in (answer.text or "")
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "accepted"
    assert [e.action for e in await store.audit.entries("report", report.id)] == [
        "report.submitted", "report.accept"]
    assert sum("tiếp nhận" in m.text for m in lan.inbox if code in m.text) == 1


async def test_without_a_group_a_zalo_report_is_rejected_on_zalo_with_a_typed_reason(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path,
    officer: SimUser,
) -> None:
    (hai,) = await zalo_staff(zalo, store, config, tmp_path, group=False)
    minh = zalo.user(3603, "Minh")
    await onboard_on_zalo(minh)
    code = await file_on_zalo(minh, "Có người lạ chụp ảnh nhà dân")
    card = await hai.wait_for(code)
    assert "chưa có nhóm công an" in card.text and "Minh" in card.text  # filed with her name
    private = await officer.wait_for(code)  # officer 1001 on Telegram: privately too
    await hai.choose("Từ chối")
    reasons = await hai.wait_for("Vì sao từ chối")
    assert reasons.labels == ["Thiếu thông tin", "Trùng tin đã báo", "Không thuộc thẩm quyền",
                              "Không đúng sự thật", "✏️ Lý do khác", "↩ Quay lại"]
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "submitted"  # nothing changes yet
    await hai.choose("Lý do khác")
    await hai.wait_for("gõ lý do từ chối tin")
    await hai.send("Việc chụp ảnh nơi công cộng không vi phạm")
    told = await minh.wait_for("không được tiếp nhận")
    assert code in told.text and "không vi phạm" in told.text
    changed = await hai.wait_for("Đã từ chối")
    assert "Lý do: Việc chụp ảnh" in changed.text and changed.labels == ["🔄 Mở lại"]
    edited = await officer.wait_for("Đã từ chối — Cán bộ Zalo 1")  # the Telegram copy, edited
    assert edited.message_id == private.message_id and edited.labels == ["🔄 Mở lại"]
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "rejected"
    assert report.state_note == "Việc chụp ảnh nơi công cộng không vi phạm"


async def test_a_team_is_assigned_on_zalo_and_its_zalo_leader_resolves_it(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path,
    staff_group: SimGroup,
) -> None:
    hai, tam = await zalo_staff(zalo, store, config, tmp_path, leader=True)
    lan, code = await _reported(sandbox, staff_group, 3605, anonymous=False)
    await hai.wait_for(code)
    await hai.choose("Giao tổ")
    teams = await hai.wait_for("cho tổ nào")
    assert "👥 Tổ an ninh nhân dân số 1" in teams.labels and "↩ Quay lại" in teams.labels
    await hai.choose("Quay lại")  # the card's choices again
    assert (await hai.wait_for("Trạng thái")).labels[0] == "✅ Tiếp nhận"
    await hai.choose("Giao tổ")
    await hai.wait_for("cho tổ nào")
    await hai.choose("Tổ an ninh nhân dân số 1")
    await staff_group.wait_for("Đã giao Tổ an ninh nhân dân số 1 — Cán bộ Zalo 1")
    await lan.wait_for("đã được giao cho")
    task = await tam.wait_for("Nhiệm vụ cho")
    assert code in task.text and "Lan" not in task.text
    assert task.labels == ["🚶 Đã đến", "✅ Đã xử lý"]
    await tam.choose("Đã đến")
    await tam.wait_for("tổ đã đến hiện trường")
    await staff_group.wait_for("đã đến hiện trường")
    await tam.choose("Đã xử lý")
    await tam.wait_for("sự việc đã được xử lý")
    await staff_group.wait_for("Đã xử lý — Tổ trưởng Zalo")
    await lan.wait_for("đã được xử lý")
    await hai.wait_for("Đã xử lý — Tổ trưởng Zalo")
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "resolved"
    assert [e.action for e in await store.audit.entries("report", report.id)] == [
        "report.submitted", "report.assign", "report.arrived", "report.resolve"]


async def test_a_zalo_officer_lists_open_reports_and_acts_on_one(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path,
    staff_group: SimGroup,
) -> None:
    (hai,) = await zalo_staff(zalo, store, config, tmp_path)
    lan = sandbox.user(3606, first_name="Lan")
    await onboard(lan)
    first = await file_report(lan, "Mất xe đạp ở chợ")
    second = await file_report(lan, "Mất gà trong chuồng")
    await hai.wait_for(second)
    await hai.send("tin mo")
    listing = await hai.wait_for("Tin báo chưa xong")
    assert listing.labels == [first, second] and "Gõ số thứ tự" in listing.text
    assert "t.me" not in listing.text
    await hai.choose(first)
    found = await hai.wait_for("Trạng thái")
    assert first in found.text and found.labels[0] == "✅ Tiếp nhận"
    await hai.choose("Tiếp nhận")
    await staff_group.wait_for(predicate=lambda m: first in m.text and "Đã tiếp nhận" in m.text)
    await hai.send(f"tin {second}")
    assert second in (await hai.wait_for("Trạng thái")).text


async def test_tin_with_a_code_is_a_lookup_and_tin_with_words_is_not_a_command(
    zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path,
) -> None:
    (hai,) = await zalo_staff(zalo, store, config, tmp_path)
    an = zalo.user(7, "An")
    await onboard_on_zalo(an)
    code = await file_on_zalo(an, "Mất xe đạp ở cổng trường")
    await hai.wait_for("Tin báo " + code)
    await hai.send(f"tin {code}")  # the officer's lookup, typed as words
    card = await hai.wait_for("Mất xe đạp")
    assert code in card.text and "Tiếp nhận" in card.labels[0]

    await an.send("tin cũ")  # "old news" from a resident: not /tin, not refused
    answer = await an.wait_for("113")
    assert "không có quyền" not in answer.text
    await an.send("báo tin")  # and in a flow, the words are the flow's
    await an.wait_for("Sự việc thuộc loại nào")
    await an.choose("Trộm cắp")
    await an.wait_for("chuyện gì đã xảy ra")
    await an.send("tin cũ")
    await an.wait_for("ở đâu")  # taken as what happened: the report goes on
    assert not [m for m in an.messages if "không có quyền" in m.text]

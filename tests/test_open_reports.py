"""/tinmo: an officer's list of the commune's reports not yet closed, oldest first."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.store import Store
from tests.helpers import onboard
from tests.test_report import file_report
from tests.test_triage import _reported


async def test_an_officer_sees_what_is_still_open_with_links_to_the_cards(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup, officer: SimUser, clock: FakeClock
) -> None:
    lan = sandbox.user(3401, first_name="Lan")
    await onboard(lan)
    codes = []
    for text, category in (("Mất xe đạp ở chợ", "Trộm cắp"), ("Hai nhóm đánh nhau", "Đánh nhau"),
                           ("Có người lạ đi quanh xóm", "Người lạ")):
        codes.append(await file_report(lan, text, category=category))
        await staff_group.wait_for(codes[-1])
    cards = {code: next(m for m in staff_group.inbox if code in m.text) for code in codes}
    await officer.press("Đã xử lý", chat=staff_group)  # the newest card: the third report
    await staff_group.wait_for("Đã xử lý —")
    clock.advance(timedelta(hours=3))

    await officer.command("tinmo")
    listing = await officer.wait_for("Tin báo chưa xong")
    first, second, closed = codes
    assert "(2)" in listing.text and closed not in listing.text
    assert listing.text.index(first) < listing.text.index(second)  # oldest first
    assert "3 giờ" in listing.text and "chờ tiếp nhận" in listing.text
    links = {e["url"] for e in listing.raw.get("entities", []) if e["type"] == "text_link"}
    assert f"https://t.me/c/1000000001/{cards[first].message_id}" in links


async def test_only_officers_get_the_list_and_an_empty_commune_says_so(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser
) -> None:
    await officer.command("tinmo")
    assert "không còn tin báo nào" in (await officer.wait_for("Xã Hưng Lộc")).text
    lan = sandbox.user(3402, first_name="Lan")
    await onboard(lan)
    await lan.command("openreports")
    await lan.wait_for("không có quyền")


async def test_an_officer_looks_up_a_closed_report_by_its_code_and_reopens_it(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser
) -> None:
    lan, code = await _reported(sandbox, staff_group)
    await officer.press("Đã xử lý", chat=staff_group)
    await staff_group.wait_for("Đã xử lý —")
    await officer.command("tin", code)
    found = await officer.wait_for("Trạng thái")
    assert code in found.text and "đã xử lý" in found.text and found.labels == ["🔄 Mở lại"]
    await officer.press("🔄 Mở lại")
    assert code in (await lan.wait_for("mở lại")).text
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "accepted"
    await officer.command("tin", code.lower().replace("tb-", ""))  # the number alone works too
    assert "đã tiếp nhận" in (await officer.wait_for("Trạng thái")).text


async def test_a_lookup_finds_nothing_outside_the_officers_communes(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup, officer: SimUser
) -> None:
    lan, code = await _reported(sandbox, staff_group)
    await officer.command("tin", "TB-999999")
    assert "TB-999999" in (await officer.wait_for("Không tìm thấy tin")).text
    await officer.command("tin")
    await officer.wait_for("Gõ mã tin cần xem")
    await lan.command("tin", code)  # a resident: refused, the report is not shown
    await lan.wait_for("không có quyền")
    assert not any("Trạng thái" in m.text for m in lan.inbox)

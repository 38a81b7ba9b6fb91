"""An anonymous report never tells officers where its reporter lives, on any surface they see:
the card, "Giao tổ", /tinmo, escalations, relays, /thongke, `anninh export reports`. The hamlet
they see is the incident's, when the place the resident typed names one."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FakeClock
from bot.config import Config
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.sandbox.views import BotMessage
from bot.services.report_values import Draft
from bot.store import Store
from bot.store.migrations import available
from tests.helpers import onboard, services_of
from tests.test_report import file_report, start_report

HOME = "Dầu Giây"  # the reporter's hamlet (Ấp Dầu Giây), which no officer may learn


async def _neighbour(sandbox: Sandbox, user_id: int = 3801) -> SimUser:
    thu = sandbox.user(user_id, first_name="Thu", last_name="Lê")
    await onboard(thu, hamlet="Ấp Dầu Giây")
    return thu


async def _typed_place_report(person: SimUser, place: str, *, anonymous: bool = True) -> str:
    await start_report(person)
    await person.send("Hai thanh niên lạ mặt bẻ khóa xe máy")
    await person.wait_for("ở đâu")
    await person.send(place)
    await person.wait_for("Địa điểm:")
    await person.wait_for("Bạn có ảnh không")
    await person.press("Bỏ qua")
    await person.wait_for("Bạn muốn gửi tin thế nào")
    await person.press("Ẩn danh" if anonymous else "Gửi kèm tên")
    await person.wait_for("Kiểm tra lại")
    await person.press("Gửi")
    sent = await person.wait_for("Đã gửi tin báo")
    return next(word for word in sent.text.split() if word.startswith("TB-"))


async def _anonymous_report(
    sandbox: Sandbox, staff_group: SimGroup, user_id: int = 3801
) -> tuple[SimUser, str, BotMessage]:
    """A resident of Ấp Dầu Giây files an anonymous report without a place."""
    thu = await _neighbour(sandbox, user_id)
    code = await file_report(thu)
    return thu, code, await staff_group.wait_for(code)


async def test_the_card_shows_no_hamlet_for_an_anonymous_report_without_a_place(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup,
) -> None:
    _, code, card = await _anonymous_report(sandbox, staff_group)
    assert "ẩn danh" in card.text
    assert HOME not in card.text and "Ấp: —" in card.text
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.hamlet_id is None


async def test_giao_to_offers_the_whole_communes_teams_not_the_reporters_hamlets(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup, officer: SimUser,
) -> None:
    await _anonymous_report(sandbox, staff_group)
    await officer.press("Giao tổ", chat=staff_group)
    teams = await staff_group.wait_for(predicate=lambda m: any(
        "Đội nữ dân phòng" in label for label in m.labels))
    assert any("Đội dân phòng Hưng Hiệp" in label for label in teams.labels)
    assert any(label.split(" ", 1)[-1] == "Tổ an ninh nhân dân số 1" for label in teams.labels)


async def test_tinmo_shows_no_hamlet_for_it(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup, officer: SimUser,
) -> None:
    _, code, _ = await _anonymous_report(sandbox, staff_group)
    await officer.command("tinmo")
    listing = await officer.wait_for("Tin báo chưa xong")
    assert code in listing.text and HOME not in listing.text


async def test_escalations_show_no_hamlet_for_it(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup, officer: SimUser, clock: FakeClock,
) -> None:
    _, code, _ = await _anonymous_report(sandbox, staff_group)
    services = services_of(bot)
    clock.advance(timedelta(minutes=31))
    assert await services.triage.escalate() == 1
    raised = await staff_group.wait_for("chưa được tiếp nhận sau")
    clock.advance(timedelta(minutes=31))
    assert await services.triage.escalate() == 1
    private = await officer.wait_for("chưa được ai tiếp nhận")
    assert code in private.text
    assert HOME not in raised.text and HOME not in private.text


async def test_relays_statistics_and_exports_show_no_hamlet_for_it(
    sandbox: Sandbox, bot: AnninhApp, config: Config, staff_group: SimGroup, officer: SimUser,
    capsys: pytest.CaptureFixture[str],
) -> None:
    thu, code, card = await _anonymous_report(sandbox, staff_group)
    await staff_group.send(officer, "Bạn thấy mấy người?", reply_to=card)
    relayed = await thu.wait_for("mấy người")
    await thu.send("Hai người, đi xe không biển số", reply_to=relayed)
    back = await staff_group.wait_for("xe không biển số")
    assert HOME not in back.text  # (its raw form quotes the card replied to)

    await officer.command("thongke")
    stats = await officer.wait_for("Thống kê Xã Hưng Lộc")
    assert HOME not in stats.text

    for fmt in ("json", "csv"):
        capsys.readouterr()
        status = await asyncio.to_thread(
            main, ["export", "reports", "--config", str(config.source), "--format", fmt])
        out = capsys.readouterr().out
        assert status == 0 and code in out
        assert HOME not in out and "dau-giay" not in out


async def test_the_hamlet_shown_is_the_one_the_typed_place_names(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser,
) -> None:
    thu = await _neighbour(sandbox, 3802)
    code = await _typed_place_report(thu, "Trước cổng chợ ấp Hưng Hiệp, gần cây xăng")
    card = await staff_group.wait_for(code)
    assert "Ấp: Ấp Hưng Hiệp" in card.text and HOME not in card.text
    report = await store.reports.get(int(code[3:]))
    hamlet = await store.areas.hamlet(report.hamlet_id or 0) if report else None
    assert hamlet is not None and hamlet.code == "hung-hiep"

    await officer.press("Giao tổ", chat=staff_group)
    teams = await staff_group.wait_for(predicate=lambda m: any(
        "Đội dân phòng Hưng Hiệp" in label for label in m.labels))
    assert not any(HOME in label or "Hưng Nhơn" in label for label in teams.labels)
    await officer.press("Quay lại", chat=staff_group)

    await officer.command("tinmo")
    listing = await officer.wait_for("Tin báo chưa xong")
    assert "Ấp Hưng Hiệp" in listing.text and HOME not in listing.text


async def test_a_street_named_like_a_hamlet_is_not_taken_for_it(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup,
) -> None:
    thu = await _neighbour(sandbox, 3803)
    code = await _typed_place_report(thu, "Số 12 đường Hưng Nhơn, cạnh chợ")
    card = await staff_group.wait_for(code)
    assert "Ấp: —" in card.text
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.hamlet_id is None


async def test_a_named_report_says_where_its_reporter_lives_as_part_of_who_they_are(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup, officer: SimUser,
) -> None:
    thu = await _neighbour(sandbox, 3804)
    code = await file_report(thu, anonymous=False)
    card = await staff_group.wait_for(code)
    assert "Người báo: Thu Lê · Ấp Dầu Giây" in card.text and "Ấp: —" in card.text
    await officer.press("Giao tổ", chat=staff_group)  # the reporter's hamlet's teams
    teams = await staff_group.wait_for(predicate=lambda m: any(
        HOME in label for label in m.labels))
    assert not any("Hưng Hiệp" in label for label in teams.labels)


async def test_reports_filed_before_lose_the_hamlet_copied_from_their_reporter(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as old:
        old.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                    "name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        for migration in (m for m in available() if m.version < 9):
            old.executescript(migration.sql)
            old.execute("INSERT INTO schema_migrations VALUES (?, ?, '2026-01-01')",
                        (migration.version, migration.name))
        old.execute("INSERT INTO communes (id, code, name, created_at, updated_at) "
                    "VALUES (1, 'x', 'Xã X', '2026-01-01', '2026-01-01')")
        old.execute("INSERT INTO hamlets (id, commune_id, code, name) VALUES (1, 1, 'a', 'Ấp A')")
        old.execute("INSERT INTO reports (commune_id, hamlet_id, anonymous, category, urgency, "
                    "description, created_at, updated_at) VALUES (1, 1, 1, 'trom-cap', 'high', "
                    "'…', '2026-01-01', '2026-01-01')")
        old.commit()
    store = await Store.open(path)
    try:
        report = await store.reports.get(1)
        assert report is not None and report.hamlet_id is None
    finally:
        await store.close()


async def test_a_named_report_without_a_name_is_not_shown_as_anonymous(
    bot: AnninhApp, store: Store
) -> None:
    """A Zalo OA follower gives no display name: "Gửi kèm tên" must not read "ẩn danh"."""
    services = services_of(bot)
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    async with store.db.transaction() as tx:
        person_id = await store.residents.ensure(tx, 3901)
        await store.residents.set_consent(tx, person_id, "given", "test")
        await store.residents.update(tx, person_id, commune_id=commune.id)
    person = await store.residents.get(person_id)
    assert person is not None and person.display_name is None
    filed = await services.reports.file(person, Draft("trom-cap", "Mất xe", anonymous=False))
    assert filed.report is not None
    card = await services.cards.text(filed.report, "")
    assert "gửi kèm tên" in card and "ẩn danh" not in card

"""`anninh export reports`: Open311 GeoReport v2 JSON and CSV, field by field, with filters."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import timedelta

import pytest

from bot.cli import main
from bot.clock import FakeClock
from bot.config import Config
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.services.export import OPEN311_FIELDS, ExportFilter, export_reports
from bot.store import Store
from tests.helpers import onboard
from tests.test_report import file_report


async def _two_reports(
    sandbox: Sandbox, staff_group: SimGroup, officer: SimUser, clock: FakeClock
) -> tuple[str, str]:
    lan = sandbox.user(3301, first_name="Lan", last_name="Võ")
    await onboard(lan)
    first = await file_report(lan, "Mất xe máy", location=(10.9512, 107.1623), photos=1,
                              anonymous=False)
    await staff_group.wait_for(first)
    await officer.press("Giao tổ", chat=staff_group)
    await staff_group.wait_for(predicate=lambda m: any("số 1" in label for label in m.labels))
    await officer.press("Tổ an ninh nhân dân số 1", chat=staff_group)
    await staff_group.wait_for("Đã giao")
    clock.advance(timedelta(days=2))
    second = await file_report(lan, "Đánh bạc ở quán nước", category="Cờ bạc")
    await staff_group.wait_for(second)
    await officer.press("Từ chối", chat=staff_group)
    await staff_group.wait_for(predicate=lambda m: "Trùng tin đã báo" in m.labels)
    await officer.press("Trùng tin đã báo", chat=staff_group)
    await staff_group.wait_for("Đã từ chối")
    return first, second


async def _cli(config: Config, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    code = await asyncio.to_thread(
        main, ["export", "reports", "--config", str(config.source), *args])
    out = capsys.readouterr().out
    assert code == 0
    return out


async def test_json_export_has_every_open311_field(
    sandbox: Sandbox, bot: AnninhApp, store: Store, config: Config, staff_group: SimGroup,
    officer: SimUser, clock: FakeClock, capsys: pytest.CaptureFixture[str],
) -> None:
    first, second = await _two_reports(sandbox, staff_group, officer, clock)
    requests = json.loads(await _cli(config, capsys, "--format", "json"))
    assert [r["service_request_id"] for r in requests] == [first, second]
    assigned, rejected = requests
    assert set(OPEN311_FIELDS) <= set(assigned)
    assert assigned["status"] == "open" and rejected["status"] == "closed"
    assert assigned["status_notes"] == "Đã giao tổ xử lý"
    assert rejected["status_notes"] == "Trùng tin đã báo"  # the officer's reason
    assert assigned["service_code"] == "trom-cap" and assigned["service_name"] == "Trộm cắp"
    assert rejected["service_code"] == "co-bac"
    assert assigned["description"] == "Mất xe máy"
    assert assigned["requested_datetime"] == "2026-11-24T15:00:00+07:00"
    assert rejected["requested_datetime"] == "2026-11-26T15:00:00+07:00"
    assert assigned["updated_datetime"].endswith("+07:00")
    assert (assigned["lat"], assigned["long"]) == (10.9512, 107.1623)
    assert isinstance(rejected["lat"], float) and isinstance(rejected["long"], float)
    assert assigned["address"] == "" and assigned["agency_responsible"] == "Công an Xã Hưng Lộc"
    photo = (await store.reports.photos(int(first[3:])))[0]
    assert assigned["media_url"] == f"tg-file://{photo.file_id}"
    assert rejected["media_url"] == ""
    assert assigned["extensions"] == {
        "state": "assigned", "team": "Tổ an ninh nhân dân số 1", "anonymous": False,
        "urgency": "high", "location_precise": True}
    assert rejected["extensions"]["state"] == "rejected"
    assert rejected["extensions"]["anonymous"] is True
    assert rejected["extensions"]["location_precise"] is False
    raw = json.dumps(requests, ensure_ascii=False)
    assert "3301" not in raw  # never a Telegram id

    # filters
    only_open = json.loads(await _cli(config, capsys, "--status", "open"))
    assert [r["service_request_id"] for r in only_open] == [first]
    recent = json.loads(await _cli(config, capsys, "--since", "2026-11-25"))
    assert [r["service_request_id"] for r in recent] == [second]
    early = json.loads(await _cli(config, capsys, "--until", "2026-11-24"))
    assert [r["service_request_id"] for r in early] == [first]
    assert json.loads(await _cli(config, capsys, "--commune", "hung-loc", "--status",
                                 "rejected"))[0]["service_request_id"] == second

    # a report filed without a location is placed at its commune's own centre
    assert (rejected["lat"], rejected["long"]) == (10.95, 107.16)  # the sample file's centre
    async with store.db.transaction() as tx:
        await store.areas.upsert_commune(tx, "hung-loc", "Xã Hưng Lộc", -1001000000001,
                                         (10.9601, 107.1702))
    moved = json.loads(await _cli(config, capsys, "--status", "rejected"))[0]
    assert (moved["lat"], moved["long"]) == (10.9601, 107.1702)


async def test_csv_export_matches_the_json(
    sandbox: Sandbox, bot: AnninhApp, store: Store, config: Config, staff_group: SimGroup,
    officer: SimUser, clock: FakeClock, capsys: pytest.CaptureFixture[str],
) -> None:
    first, second = await _two_reports(sandbox, staff_group, officer, clock)
    rows = list(csv.DictReader(io.StringIO(await _cli(config, capsys, "--format", "csv"))))
    assert [r["service_request_id"] for r in rows] == [first, second]
    assigned, rejected = rows
    assert assigned["status"] == "open" and rejected["status"] == "closed"
    assert assigned["lat"] == "10.9512" and assigned["long"] == "107.1623"
    assert assigned["media_url"].startswith("tg-file://")
    assert assigned["state"] == "assigned" and assigned["team"] == "Tổ an ninh nhân dân số 1"
    assert assigned["anonymous"] == "false" and rejected["anonymous"] == "true"
    assert assigned["urgency"] == "high" and rejected["urgency"] == "normal"
    assert assigned["requested_datetime"] == "2026-11-24T15:00:00+07:00"
    as_json = await export_reports(store, config, "json", ExportFilter())
    for row, request in zip(rows, json.loads(as_json), strict=True):
        for field in OPEN311_FIELDS:
            assert row[field] == str(request[field] if request[field] is not None else ""), field


async def test_bad_filters_fail_with_a_message(
    config: Config, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await asyncio.to_thread(
        main, ["export", "reports", "--config", str(config.source), "--commune", "nowhere"])
    assert code == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "nowhere" in captured.err
    code = await asyncio.to_thread(
        main, ["export", "reports", "--config", str(config.source), "--since", "hôm qua"])
    assert code == 1

"""What the OA's reach cost, where officers and operators read it: `anninh broadcast status
ID` (a zalo_oa reach line), `anninh zalo usage --month` (per commune and in total, with the
estimated cost at the configured prices) and /thongke (an OA line where the commune has one)."""

from __future__ import annotations

import asyncio

import pytest

from bot.cli import main
from bot.clock import FakeClock
from bot.config import Config
from bot.context import AnninhApp
from bot.delivery import OutMessage
from bot.sandbox import SimGroup, SimUser
from bot.sandbox.zalo_oa import DEFAULT_OA, OaSandbox
from tests.helpers import services_of
from tests.oa_kit import follower, oa_section
from tests.test_zalo_oa_channel import connected, oa  # noqa: F401 - fixtures


@pytest.fixture
def config_extra(oa: OaSandbox, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    return oa_section(oa, monkeypatch, "price_zbs_vnd = 250\nprice_billable_vnd = 10\n")


async def two_broadcasts(oa: OaSandbox, bot: AnninhApp, clock: FakeClock) -> tuple[int, int]:  # noqa: F811
    """An ordinary announcement (free, billable, skipped) and an urgent one (ZBS ×2)."""
    services = services_of(bot)
    _, fresh = await follower(oa, bot, clock, 51, 1)
    _, older = await follower(oa, bot, clock, 52, 60)
    _, silent = await follower(oa, bot, clock, 53, 24 * 9)
    _, quiet = await follower(oa, bot, clock, 54, 24 * 20)
    ordinary = await services.delivery.enqueue(
        "announcement", OutMessage(text="Họp tổ dân phố."), [fresh, older, silent],
        commune_id=1, origin="test")
    urgent = await services.delivery.enqueue(
        "announcement", OutMessage(text="Bão về, ở trong nhà."), [silent, quiet],
        commune_id=1, origin="test", urgent=True)
    for broadcast_id in (ordinary, urgent):
        await services.delivery.wait_done(broadcast_id, timeout=10)
    return ordinary, urgent


async def test_broadcast_status_and_the_months_usage_count_each_way_and_its_cost(
    connected: OaSandbox, config: Config, clock: FakeClock, bot: AnninhApp,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    ordinary, urgent = await two_broadcasts(connected, bot, clock)
    capsys.readouterr()
    source = str(config.source)
    assert await asyncio.to_thread(
        main, ["broadcast", "status", str(ordinary), "--config", source]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines.index("zalo_oa reach\tfree\tbillable\tzbs\toutside_window\twaiting\t"
                         "unreachable\tfailed\tqueued\tcost_vnd")
    # The silent follower's news waits 3 days from the test clock's now, and the command
    # reads the wall clock: it counts as waiting or as skipped, never as both.
    free, billable, zbs, skipped, waiting, *rest = lines[header + 1].split("\t")[1:]
    assert (free, billable, zbs, rest) == ("1", "1", "0", ["0", "0", "0", "10"])
    assert int(skipped) + int(waiting) == 1
    assert await asyncio.to_thread(
        main, ["broadcast", "status", str(urgent), "--config", source]) == 0
    assert "zalo_oa\t0\t0\t2\t0\t0\t0\t0\t0\t500" in capsys.readouterr().out.splitlines()

    assert await asyncio.to_thread(
        main, ["zalo", "usage", "--month", "2026-11", "--config", source]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["month\t2026-11", "commune\toa\tfree\tbillable\tzbs\toutside_window\t"
                         "waiting\tunreachable\tfailed\tqueued\tcost_vnd"]
    for line in lines[2:]:
        free, billable, zbs, skipped, waiting, *rest = line.split("\t")[2:]
        assert (free, billable, zbs, rest) == ("1", "1", "2", ["0", "0", "0", "510"])
        assert int(skipped) + int(waiting) == 1
    assert [line.split("\t")[0] for line in lines[2:]] == ["hung-loc", "total"]
    assert await asyncio.to_thread(
        main, ["zalo", "usage", "--month", "2026-12", "--config", source]) == 0
    assert capsys.readouterr().out.splitlines()[2] == f"hung-loc\t{DEFAULT_OA}" + "\t0" * 9
    assert await asyncio.to_thread(
        main, ["zalo", "usage", "--month", "2026-13", "--config", source]) == 1
    assert "a month as YYYY-MM" in capsys.readouterr().err


async def test_stats_show_the_oa_line(
    connected: OaSandbox, clock: FakeClock, bot: AnninhApp,  # noqa: F811
    officer: SimUser, staff_group: SimGroup,
) -> None:
    await two_broadcasts(connected, bot, clock)
    await officer.command("thongke")
    figures = await officer.wait_for("Thống kê")
    assert "Zalo OA: miễn phí 1 · tính phí (48 giờ–7 ngày) 1 · tin ZBS 2 · ước tính 510 đ" \
        in figures.text
    assert "quá 7 ngày không tương tác): 0 · chờ lần tương tác tới: 1" in figures.text

"""A patrol shift's day and window typed the Vietnamese way (bot/services/patrol_times.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services.patrol_times import PastWindow, parse_window

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # Tuesday 08:00 in Vietnam


@pytest.mark.parametrize(("typed", "starts", "ends", "weekly"), [
    ("thứ Bảy 21:00-23:00", "2026-11-28 21:00", "2026-11-28 23:00", False),
    ("toi thu 7 21h-23h", "2026-11-28 21:00", "2026-11-28 23:00", False),
    ("30/11 21:00-23:00", "2026-11-30 21:00", "2026-11-30 23:00", False),
    ("hằng tuần thứ Bảy 21:00–23:00", "2026-11-28 21:00", "2026-11-28 23:00", True),
    ("mỗi chủ nhật 22h đến 2h", "2026-11-29 22:00", "2026-11-30 02:00", True),
    ("mai 5h-6h30", "2026-11-25 05:00", "2026-11-25 06:30", False),
    ("thứ 3 7:00-9:00", "2026-11-24 07:00", "2026-11-24 09:00", False),  # on now: today's
    ("thứ 3 6:00-7:00", "2026-12-01 06:00", "2026-12-01 07:00", False),  # over: next week's
    ("21:00-23:00", "2026-11-24 21:00", "2026-11-24 23:00", False),
])
def test_forms_are_read(typed: str, starts: str, ends: str, weekly: bool) -> None:
    window = parse_window(typed, NOW, TZ)
    assert window is not None
    assert window.starts.strftime("%Y-%m-%d %H:%M") == starts
    assert window.ends.strftime("%Y-%m-%d %H:%M") == ends
    assert window.weekly is weekly


@pytest.mark.parametrize("typed", ["thứ Bảy", "21:00", "32/11 21:00-23:00",
                                   "thứ Bảy 21:00-23:61", "thứ tám 21:00-23:00",
                                   "thứ Bảy 06:00-20:00"])  # past 12 hours
def test_what_cannot_be_read_is_none(typed: str) -> None:
    assert parse_window(typed, NOW, TZ) is None


def test_a_shift_already_over_is_refused() -> None:
    with pytest.raises(PastWindow):
        parse_window("hôm nay 05:00-06:00", NOW, TZ)
    with pytest.raises(PastWindow):
        parse_window("20/11 21:00-23:00", NOW, TZ)

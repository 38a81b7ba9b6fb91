"""A patrol shift's day and time window typed the Vietnamese way: "thứ Bảy 21:00-23:00",
"tối thứ 7 21h-23h", "30/11 21:00-23:00", "hôm nay 19:30 đến 21:00", "chủ nhật 5h-6h30";
"hằng tuần" (or "mỗi") in front makes it weekly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.text import fold

MAX_LENGTH = timedelta(hours=12)
WEEKDAYS = {"2": 0, "hai": 0, "3": 1, "ba": 1, "4": 2, "tu": 2, "5": 3, "nam": 3, "6": 4,
            "sau": 4, "7": 5, "bay": 5}
_CLOCK = r"(\d{1,2})(?:\s*[:h.]\s*(\d{2})?)?"
_RANGE = re.compile(rf"{_CLOCK}\s*(?:-|–|—|den|toi)\s*{_CLOCK}")
_WEEKLY = re.compile(r"\b(?:hang tuan|moi tuan|moi)\b")
_PART_OF_DAY = re.compile(r"\b(?:toi|sang|chieu|dem|trua|luc|ngay|vao)\b")
_WEEKDAY = re.compile(
    r"^(?:thu\s*(2|3|4|5|6|7|hai|ba|tu|nam|sau|bay)|t(2|3|4|5|6|7)|(chu nhat|cn))$")
_DATE = re.compile(r"^(\d{1,2})\s*[/-]\s*(\d{1,2})(?:\s*[/-]\s*(\d{4}))?$")


@dataclass(frozen=True)
class Window:
    """A shift's start and end (aware, local time) and whether it repeats every week."""

    starts: datetime
    ends: datetime
    weekly: bool


class PastWindow(ValueError):
    """The typed shift has already ended."""

    def __init__(self, window: Window) -> None:
        super().__init__(f"{window.ends.isoformat()} has passed")
        self.window = window


def parse_window(typed: str, now: datetime, tz: ZoneInfo) -> Window | None:
    """The shift `typed` names (the next such weekday, or today's while it has not ended),
    None if it cannot be read; PastWindow if it has already ended."""
    text = " ".join(fold(typed).replace(",", " ").split())
    found = _RANGE.search(text)
    if found is None:
        return None
    begin, end = _clock(found[1], found[2]), _clock(found[3], found[4])
    if begin is None or end is None:
        return None
    rest = text[:found.start()] + " " + text[found.end():]
    weekly = bool(_WEEKLY.search(rest))
    rest = " ".join(_PART_OF_DAY.sub(" ", _WEEKLY.sub(" ", rest)).split())
    local = now.astimezone(tz)
    day = _day(rest, local, begin, end, tz)
    if day is None:
        return None
    starts = datetime.combine(day, begin, tz)
    ends = datetime.combine(day, end, tz)
    if ends <= starts:
        ends += timedelta(days=1)  # 22:00-02:00 ends the next morning
    if ends - starts > MAX_LENGTH:
        return None
    window = Window(starts, ends, weekly)
    if ends <= local:
        raise PastWindow(window)
    return window


def _clock(hour: str, minute: str | None) -> time | None:
    h, m = int(hour), int(minute or 0)
    if h == 24 and m == 0:
        return time(0, 0)
    return time(h, m) if h <= 23 and m <= 59 else None


def _day(rest: str, local: datetime, begin: time, end: time, tz: ZoneInfo) -> date | None:
    """The day the words name: a weekday (the next one whose shift has not ended), today,
    tomorrow, or a date (this year unless a year is given)."""
    if rest in ("", "hom nay", "nay"):
        return local.date()
    if rest in ("mai", "ngay mai"):
        return local.date() + timedelta(days=1)
    if found := _WEEKDAY.match(rest):
        weekday = 6 if found[3] else WEEKDAYS[found[1] or found[2]]
        day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
        ends = datetime.combine(day, end, tz)
        if ends <= datetime.combine(day, begin, tz):
            ends += timedelta(days=1)
        return day if ends > local else day + timedelta(days=7)
    if found := _DATE.match(rest):
        try:
            return date(int(found[3] or local.year), int(found[2]), int(found[1]))
        except ValueError:
            return None
    return None

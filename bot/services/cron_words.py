"""A schedule as officers say it: "0 19 * * 6" is "19:00 thứ Bảy hằng tuần", "30 7 * * *" is
"07:30 hằng ngày". A cron expression of another shape (a campaign's file may hold any) is shown
as it is written."""

from __future__ import annotations

from html import escape

from bot.i18n import I18n

# cron's day-of-week numbers: 0 (and 7) Sunday, 1 Monday … 6 Saturday; or their names
_CRON_DAYS = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6,
              **{str(n): n for n in range(8)}}


def describe_cron(i18n: I18n, lang: str, expression: str) -> str:
    """The schedule in words (HTML-safe), or the expression itself as code."""
    fields = expression.split()
    if len(fields) == 5 and fields[2:4] == ["*", "*"]:
        minute, hour, weekday = fields[0], fields[1], fields[4]
        days = _weekdays(weekday)
        if minute.isdigit() and hour.isdigit() and int(minute) < 60 and int(hour) < 24 and (
                days is not None):
            time = f"{int(hour):02d}:{int(minute):02d}"
            if not days or len(days) == 7:
                return i18n.t(lang, "schedule.daily", time=time)
            names = ", ".join(i18n.t(lang, f"schedule.day_{day}") for day in days)
            return i18n.t(lang, "schedule.weekly", time=time, days=names)
    return f"<code>{escape(expression)}</code>"


def _weekdays(field: str) -> list[int] | None:
    """The days a day-of-week field names, 0 Monday … 6 Sunday ([] for every day); None for a
    shape this does not read (steps, unknown names)."""
    if field == "*":
        return []
    days: set[int] = set()
    for part in field.lower().split(","):
        first, _, last = part.partition("-")
        if first not in _CRON_DAYS or (last and last not in _CRON_DAYS):
            return None
        start, end = _CRON_DAYS[first], _CRON_DAYS[last or first]
        if end < start:
            return None
        days.update((day + 6) % 7 for day in range(start, end + 1))  # Sunday (0, 7) last
    return sorted(days)

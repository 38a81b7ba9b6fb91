"""How a message reaches a Zalo Official Account follower, and what it costs.

Zalo's rule: a consultation message reaches only someone who interacted with the OA (followed
it, wrote to it, pressed one of its `oa.query` buttons) within the last 7 days; it is free
within 48 h of that interaction and billable after. Beyond 7 days only a ZBS template message
(approved in advance, paid per message) reaches them. anninh spends that money on the gong
and on urgent announcements only; an ordinary announcement, propaganda or a personal notice
to someone silent for 7 days is not sent, and recorded so ('outside_window'). Propaganda and
ordinary announcements wait for the person's next interaction instead (`WAITS`: a campaign's
advice keeps a month, an announcement's news three days); they then go inside the window,
free. A personal notice does not wait (it is told again where it matters).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from bot.models import Lane, Reach
from bot.models.zalo_oa import OaUsage

FREE_WINDOW = timedelta(hours=48)
WINDOW = timedelta(days=7)


def decide(now: datetime, interacted_at: str | None, lane: Lane, urgent: bool) -> Reach:
    """The way out for one message to a follower last seen at `interacted_at` (ISO 8601)."""
    if interacted_at is not None:
        age = now - datetime.fromisoformat(interacted_at)
        if age <= FREE_WINDOW:
            return "free"
        if age <= WINDOW:
            return "billable"
    return "zbs" if by_template(lane, urgent) else "outside_window"


WAITS: dict[Lane, timedelta] = {"propaganda": timedelta(days=30),
                                "announcement": timedelta(days=3)}


def waits_until(now: datetime, lane: Lane, urgent: bool) -> str | None:
    """Until when a message not sent for the window waits for the follower's next
    interaction (ISO 8601, UTC, as the store writes it); None: it does not wait."""
    wait = None if by_template(lane, urgent) else WAITS.get(lane)
    return None if wait is None else (now + wait).astimezone(UTC).isoformat(timespec="seconds")


NIGHT_ENDS = time(6)  # Zalo: template messages may be refused 22:00–06:00 (-133)
NIGHT_BEGINS = time(22)
NIGHT_RETRY = timedelta(minutes=30)  # Zalo says night where our clock does not


def after_the_night(now: datetime, tz: tzinfo) -> timedelta:
    """How long until a ZBS template refused for the night (-133) may be tried again: until
    06:00 local time, or half an hour when it is not night by our clock."""
    local = now.astimezone(tz)
    if NIGHT_ENDS <= local.time() < NIGHT_BEGINS:
        return NIGHT_RETRY
    morning = datetime.combine(local.date(), NIGHT_ENDS, tz)
    if local.time() >= NIGHT_BEGINS:
        morning += timedelta(days=1)
    return morning - local


def by_template(lane: Lane, urgent: bool) -> bool:
    """Whether a message of this lane is worth a paid ZBS template outside the window."""
    return lane == "alarm" or (lane == "announcement" and urgent)


def template_purpose(lane: Lane) -> str:
    """The `[zalo_oa.templates]` key of the template a message of this lane goes by."""
    return "alarm" if lane == "alarm" else "announcement"


def cost_vnd(usage: OaUsage, price_zbs_vnd: float, price_billable_vnd: float) -> float:
    """The estimated cost of these sends, at the configured prices."""
    return usage.zbs * price_zbs_vnd + usage.billable * price_billable_vnd


# --- the figures, as `anninh broadcast status` and `anninh zalo usage` print them -------------

USAGE_HEADER = ("free\tbillable\tzbs\toutside_window\twaiting\tunreachable\tfailed\tqueued"
                "\tcost_vnd")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def usage_columns(usage: OaUsage, price_zbs_vnd: float, price_billable_vnd: float) -> str:
    """One line of figures under USAGE_HEADER."""
    cost = cost_vnd(usage, price_zbs_vnd, price_billable_vnd)
    return (f"{usage.free}\t{usage.billable}\t{usage.zbs}\t{usage.outside_window}\t"
            f"{usage.waiting}\t{usage.unreachable}\t{usage.failed}\t{usage.queued}\t{cost:.0f}")


def month_bounds(month: str, tz: ZoneInfo) -> tuple[str, str] | None:
    """A local calendar month "YYYY-MM" as stored times [start, end) (UTC ISO 8601); None
    when `month` is not one."""
    found = _MONTH.match(month)
    if found is None:
        return None
    year, number = int(found[1]), int(found[2])
    start = datetime(year, number, 1, tzinfo=tz)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=tz)
    utc = ZoneInfo("UTC")
    return start.astimezone(utc).isoformat(), end.astimezone(utc).isoformat()

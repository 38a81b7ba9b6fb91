"""Thi đua: points for verified contributions, as content/points.toml says.

A rule awards when someone else has verified the thing (an officer accepting or resolving a
report) — a report's reporter gets them even for an anonymous report, and only they see them
(/diem): nothing here is shown to an officer or a leader, and no board or export reads the
rows. Each rule awards once for the same thing, and at most `daily_cap` times a local day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.catalog import CatalogError, read_toml
from bot.clock import Clock
from bot.store import Store
from bot.store.points import Award

REPORT_ACCEPTED, REPORT_RESOLVED, COMMENDED = "report_accepted", "report_resolved", "commended"
GONG_CAME = "gong_came"  # answered "Đang đến", and the caller confirmed it
PATROL_DONE = "patrol_done"  # checked in on a shift, and the team's leader confirmed it
QUIZ_RIGHT = "quiz_right"  # a campaign quiz's first answer, and the right one
BOARD_SIZE = 10


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    points: int
    daily_cap: int
    names: dict[str, str]
    whats: dict[str, str]  # what a count of it is called ("tin báo được tiếp nhận")

    def name(self, language: str, **values: str) -> str:
        return (self.names.get(language) or self.names["vi"]).format(**values)

    def what(self, language: str) -> str:
        return self.whats.get(language) or self.whats["vi"]


def load_rules(folder: Path) -> dict[str, Rule]:
    """The rules of `folder`/points.toml (none when the file is absent: no points given)."""
    path = folder / "points.toml"
    if not path.exists():
        return {}
    rules: dict[str, Rule] = {}
    for code, entry in read_toml(path).get("rule", {}).items():
        points, cap = entry.get("points"), entry.get("daily_cap")
        names = {lang: entry.get(f"name_{lang}") for lang in ("vi", "en")}
        whats = {lang: entry.get(f"what_{lang}") for lang in ("vi", "en")}
        if not isinstance(points, int) or points <= 0 or not isinstance(cap, int) or cap <= 0:
            raise CatalogError(f"{path}: rule {code!r}: points and daily_cap are positive "
                               "whole numbers")
        if not all(isinstance(name, str) and name for name in (*names.values(), *whats.values())):
            raise CatalogError(f"{path}: rule {code!r}: name_vi, name_en, what_vi and what_en "
                               "are required")
        rules[code] = Rule(code, points, cap, {k: str(v) for k, v in names.items()},
                           {k: str(v) for k, v in whats.items()})
    return rules


class PointsService:
    def __init__(self, store: Store, clock: Clock, tz: ZoneInfo, rules: dict[str, Rule]) -> None:
        self._store, self._clock, self._tz, self.rules = store, clock, tz, rules

    async def award(self, resident_id: int, rule_code: str, subject_type: str,
                    subject_id: int) -> bool:
        """Give the rule's points for this thing, unless it gave them already or the
        person reached the rule's cap for today; True when given."""
        rule = self.rules.get(rule_code)
        if rule is None:
            return False
        now = self._clock.now()
        midnight = now.astimezone(self._tz).replace(hour=0, minute=0, second=0, microsecond=0)
        async with self._store.db.transaction() as tx:
            if await self._store.points.count_since(
                    tx, resident_id, rule.code, _iso(midnight)) >= rule.daily_cap:
                return False
            return await self._store.points.add(tx, resident_id, rule.code, rule.points,
                                                subject_type, subject_id, _iso(now))

    async def board(self, commune_id: int, quarter: bool
                    ) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        """The honour board of this month (or this quarter): teams, and the people who chose
        to appear; anonymous reports' points count for nobody on it."""
        local = self._clock.now().astimezone(self._tz)
        month = local.month - (local.month - 1) % 3 if quarter else local.month
        start = local.replace(month=month, day=1, hour=0, minute=0, second=0, microsecond=0)
        return await self._store.points.board(commune_id, _iso(start), BOARD_SIZE)

    async def mine(self, resident_id: int) -> tuple[int, int, list[Award]]:
        """The person's points this month, in all, and the latest awards."""
        start = self._clock.now().astimezone(self._tz).replace(
            day=1, hour=0, minute=0, second=0, microsecond=0)
        store = self._store.points
        return (await store.total(resident_id, _iso(start)), await store.total(resident_id),
                await store.of_resident(resident_id))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")

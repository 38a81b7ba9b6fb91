"""All SQL lives here. `Store` opens the database, migrates it and groups the tables."""

from __future__ import annotations

from pathlib import Path

from bot.clock import Clock
from bot.store.accounts import AccountStore
from bot.store.alarms import AlarmStore
from bot.store.api_keys import ApiKeyStore
from bot.store.areas import AreaStore
from bot.store.audit import AuditStore
from bot.store.broadcasts import BroadcastStore
from bot.store.db import Database, DatabaseUnavailable, Tx
from bot.store.dialogs import DialogStore
from bot.store.erasure import ErasureStore
from bot.store.media import MediaRefStore
from bot.store.memberships import MembershipStore
from bot.store.migrations import migrate
from bot.store.outbox import OutboxStore
from bot.store.patrol_swaps import PatrolSwapStore
from bot.store.patrols import PatrolStore
from bot.store.persistence import PersistenceStore
from bot.store.points import PointsStore
from bot.store.prompts import PromptStore
from bot.store.queue import QueueStore
from bot.store.relays import RelayStore
from bot.store.reports import ReportStore
from bot.store.residents import ResidentStore
from bot.store.review import ReviewStore
from bot.store.routes import RouteStore
from bot.store.schedules import ScheduleStore
from bot.store.stats import FigureStore, StatsStore
from bot.store.web import WebStore
from bot.store.zalo_oa import ZaloOaStore

__all__ = ["Database", "DatabaseUnavailable", "Store", "Tx"]


class Store:
    """The database and one object per table group; writes go through `db.transaction()`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.dialogs = DialogStore(db)  # first: the stores that delete people forget flows
        self.areas = AreaStore(db)
        self.residents = ResidentStore(db, self.dialogs)
        self.memberships = MembershipStore(db)
        self.audit = AuditStore(db)
        self.persistence = PersistenceStore(db)
        self.alarms = AlarmStore(db)
        self.stats = StatsStore(db)
        self.figures = FigureStore(db)
        self.reports = ReportStore(db)
        self.broadcasts = BroadcastStore(db)
        self.outbox = OutboxStore(db)
        self.relays = RelayStore(db)
        self.schedules = ScheduleStore(db)
        self.erasure = ErasureStore(db, self.dialogs)
        self.accounts = AccountStore(db, self.dialogs)
        self.prompts = PromptStore(db, self.dialogs)
        self.media = MediaRefStore(db, self.dialogs)
        self.routes = RouteStore(db)
        self.zalo_oa = ZaloOaStore(db)
        self.web = WebStore(db)
        self.queue = QueueStore(db)
        self.patrols = PatrolStore(db)
        self.patrol_swaps = PatrolSwapStore(db)
        self.points = PointsStore(db)
        self.review = ReviewStore(db)
        self.api_keys = ApiKeyStore(db)

    @classmethod
    async def open(cls, path: Path, clock: Clock | None = None) -> Store:
        """Open the database at `path` and bring its schema up to date.

        `clock` stamps every row (the system clock unless a test or tool gives another)."""
        db = await Database.open(path, clock)
        try:
            await migrate(db)
        except BaseException:
            await db.close()
            raise
        return cls(db)

    async def close(self) -> None:
        await self.dialogs.close()
        await self.db.close()

"""The store on real SQLite: migrations, transactions, areas loading, backup, persistence."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.config import ContentConfig
from bot.models import Consent
from bot.persistence import SqlitePersistence
from bot.services.areas import AreasFileError, load_areas, parse_areas
from bot.store import Store
from bot.store.migrations import available, migrate
from tests.helpers import SAMPLE_AREAS

CATALOG = Catalog.load(ContentConfig().folder)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "sub" / "anninh.sqlite3")
    try:
        yield store
    finally:
        await store.close()


async def test_migrations_are_recorded_and_not_applied_twice(db: Store) -> None:
    versions = [row[0] for row in await db.db.fetchall("SELECT version FROM schema_migrations")]
    assert versions == [m.version for m in available()]
    assert await migrate(db.db) == []
    assert await db.db.scalar("PRAGMA journal_mode") == "wal"
    assert await db.db.scalar("PRAGMA foreign_keys") == 1


async def test_a_failed_transaction_leaves_nothing(db: Store) -> None:
    async def half_done() -> None:
        async with db.db.transaction() as tx:
            await db.areas.upsert_commune(tx, "x", "Xã X", None)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await half_done()
    assert await db.areas.communes() == []


async def test_loading_the_sample_twice_changes_nothing_the_second_time(db: Store) -> None:
    communes = parse_areas(SAMPLE_AREAS, CATALOG)
    first = await load_areas(db, communes, "test")
    assert (first.communes, first.hamlets, first.teams) == (1, 3, 5)
    assert (first.officers_added, first.leaders_changed) == (1, 5)
    counts = await _counts(db)
    second = await load_areas(db, communes, "test")
    assert (second.officers_added, second.leaders_changed) == (0, 0)
    assert await _counts(db) == counts
    commune = await db.areas.commune_by_code("hung-loc")
    assert commune is not None and commune.staff_chat_id == -1001000000001
    assert commune.center == (10.95, 107.16)
    team = await db.areas.team_by_join_code("hn01")  # join codes ignore case
    assert team is not None and team.name == "Tổ an ninh nhân dân số 1"
    leader = await db.memberships.leader(team.id)
    assert leader is not None and leader.telegram_id == 2001
    officer = await db.residents.by_telegram_id(1001)
    assert officer is not None and await db.residents.has_role(officer.id, "officer", commune.id)
    assert [e.action for e in await db.audit.entries("resident", officer.id)] == ["role.grant"]


@pytest.mark.parametrize(
    ("replace", "by", "named"),
    [
        ('kind = "doi-dan-phong"', 'kind = "doi-bay"', "team 'hh-dp': kind 'doi-bay'"),
        ('join_code = "HHDP"', 'join_code = "HN01"', "join_code 'HN01' is already used"),
        ('code = "hung-hiep"', 'code = "Hưng Hiệp"', "hamlet #2: code must be"),
        ("leader = 2003", 'leader = "Bình"', "team 'hh-01': leader must be"),
        ("officers = [1001]", "officers = 1001", "commune 'hung-loc': officers must be"),
        ("center = [10.95, 107.16]", "center = [107.16, 10.95]",
         "commune 'hung-loc': center must be [latitude, longitude]"),
        ("center = [10.95, 107.16]", 'center = "Hưng Lộc"', "commune 'hung-loc': center must be"),
    ],
)
async def test_a_malformed_file_names_the_entry_and_writes_nothing(
    db: Store, tmp_path: Path, replace: str, by: str, named: str
) -> None:
    text = SAMPLE_AREAS.read_text(encoding="utf-8")
    assert replace in text
    broken = tmp_path / "areas.toml"
    broken.write_text(text.replace(replace, by, 1), encoding="utf-8")
    with pytest.raises(AreasFileError, match=named.replace("(", r"\(").replace("[", r"\[")):
        parse_areas(broken, CATALOG)
    assert await db.areas.communes() == []


async def test_a_conflict_with_the_database_rolls_the_whole_file_back(
    db: Store, tmp_path: Path
) -> None:
    await load_areas(db, parse_areas(SAMPLE_AREAS, CATALOG), "test")
    other = tmp_path / "other.toml"
    other.write_text(
        '[[commune]]\ncode = "gia-tan"\nname = "Xã Gia Tân"\n'
        '[[commune.hamlet]]\ncode = "a"\nname = "Ấp A"\n'
        '[[commune.hamlet.team]]\ncode = "a-01"\nname = "Tổ 1"\n'
        'kind = "to-an-ninh-nhan-dan"\njoin_code = "HN01"\n',
        encoding="utf-8",
    )
    with pytest.raises(AreasFileError, match="conflicts with the database"):
        await load_areas(db, parse_areas(other, CATALOG), "test")
    assert await db.areas.commune_by_code("gia-tan") is None


async def test_backup_is_a_complete_database(db: Store, tmp_path: Path) -> None:
    await load_areas(db, parse_areas(SAMPLE_AREAS, CATALOG), "test")
    target = tmp_path / "backup" / "copy.sqlite3"
    await db.db.backup(target)
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT count(*) FROM teams").fetchone() == (5,)


async def test_persistence_round_trips_conversations_and_user_data(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    persistence = SqlitePersistence(path)
    await persistence.update_conversation("onboarding", (42, 42), 3)
    await persistence.update_conversation("onboarding", (7, 7), 1)
    await persistence.update_conversation("onboarding", (7, 7), None)
    await persistence.update_user_data(42, {"pending_join": "HN01"})
    await persistence.close()

    reopened = SqlitePersistence(path)
    try:
        assert await reopened.get_conversations("onboarding") == {(42, 42): 3}
        assert await reopened.get_user_data() == {42: {"pending_join": "HN01"}}
        await reopened.drop_user_data(42)
        assert await reopened.get_user_data() == {}
    finally:
        await reopened.close()


async def _counts(db: Store) -> tuple[int, ...]:
    tables = ("communes", "hamlets", "teams", "residents", "memberships", "roles")
    return tuple([await db.db.scalar(f"SELECT count(*) FROM {t}") for t in tables])


async def test_a_writer_cancelled_mid_transaction_leaves_the_connection_usable(
    db: Store,
) -> None:
    """A worker killed while it writes (the delivery engine's crash test does this) must not
    leave the one shared connection inside a transaction."""
    for delay in range(6):  # cancel at successive points: before, during and after BEGIN
        async def write() -> None:
            async with db.db.transaction() as tx:
                await db.areas.upsert_commune(tx, "x", "Xã X", None)
                await asyncio.Event().wait()  # never finishes by itself

        task = asyncio.create_task(write())
        for _ in range(delay):
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        async with db.db.transaction() as tx:  # would fail: "transaction within a transaction"
            await db.areas.upsert_commune(tx, "y", "Xã Y", None)
    assert [c.code for c in await db.areas.communes()] == ["y"]


async def test_the_opened_migration_counts_everyone_who_answered_the_consent_question(
    db: Store
) -> None:
    """Migration 0011 on a database from before it: whoever consented (or declined) had
    written to the bot; a bare id from the areas file had not."""
    answers: tuple[tuple[int, Consent], ...] = ((1, "given"), (2, "declined"), (3, "none"))
    async with db.db.transaction() as tx:
        for telegram_id, consent in answers:
            resident_id = await db.residents.ensure(tx, telegram_id)
            if consent != "none":
                await db.residents.set_consent(tx, resident_id, consent, "v1")
        await tx.execute("ALTER TABLE residents DROP COLUMN opened_at")
        await tx.execute("DELETE FROM schema_migrations WHERE version = 11")
    assert [m.version for m in await migrate(db.db)] == [11]
    opened = {}
    for telegram_id in (1, 2, 3):
        resident = await db.residents.by_telegram_id(telegram_id)
        assert resident is not None
        opened[telegram_id] = resident.opened_at
    assert opened[1] is not None and opened[2] is not None and opened[3] is None

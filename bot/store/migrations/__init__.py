"""Numbered SQL migrations: NNNN_name.sql, applied in order and recorded in the database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.store.db import Database

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    folder = Path(__file__).parent
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = _NAME.match(path.name)
        if match is None:
            raise RuntimeError(f"{path}: migration files are named NNNN_name.sql")
        found.append(Migration(int(match[1]), match[2], path.read_text(encoding="utf-8")))
    return found


async def migrate(db: Database) -> list[Migration]:
    """Apply every migration the database lacks, each in its own transaction."""
    async with db.transaction() as tx:
        await tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
    done = {row[0] for row in await db.fetchall("SELECT version FROM schema_migrations")}
    applied = []
    for migration in available():
        if migration.version in done:
            continue
        record = (
            "INSERT INTO schema_migrations (version, name, applied_at) "
            f"VALUES ({migration.version}, '{migration.name}', '{db.now_iso()}');"
        )
        await db.executescript(f"BEGIN IMMEDIATE;\n{migration.sql}\n{record}\nCOMMIT;")
        applied.append(migration)
    return applied

"""Residents, their tags and their staff roles."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from bot.models import Channel, Consent, OfficerRole, Resident, StaffContact, StaffRole
from bot.store.db import Database, Tx
from bot.store.dialogs import DialogStore


def _resident(row: sqlite3.Row) -> Resident:
    return Resident(
        id=row["id"],
        telegram_id=row["telegram_id"],
        display_name=row["display_name"],
        language=row["language"],
        commune_id=row["commune_id"],
        hamlet_id=row["hamlet_id"],
        phone=row["phone"],
        consent=row["consent"],
        consent_at=row["consent_at"],
        consent_version=row["consent_version"],
        mute_propaganda=bool(row["mute_propaganda"]),
        unreachable_at=row["unreachable_at"],
        created_at=row["created_at"],
        opened_at=row["opened_at"],
        on_board=bool(row["on_board"]),
    )


class ResidentStore:
    def __init__(self, db: Database, dialogs: DialogStore) -> None:
        self._db = db
        self._dialogs = dialogs

    # --- writes ----------------------------------------------------------------------------

    async def ensure(self, tx: Tx, telegram_id: int) -> int:
        """The resident id for a Telegram user, creating a bare row (the id only) if new."""
        now = self._db.now_iso()
        async with tx.execute(
            "INSERT INTO residents (telegram_id, created_at, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (telegram_id) DO UPDATE SET telegram_id = excluded.telegram_id "
            "RETURNING id",
            (telegram_id, now, now),
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        await tx.execute(
            "INSERT OR IGNORE INTO accounts (resident_id, channel, external_id, created_at) "
            "VALUES (?, 'telegram', ?, ?)", (int(row[0]), str(telegram_id), now))
        return int(row[0])

    async def ensure_account(self, tx: Tx, channel: Channel, external_id: str) -> int:
        """The resident id for an account on any messenger, creating a bare person (the
        account only) if new. Telegram accounts also fill residents.telegram_id."""
        if channel == "telegram":
            return await self.ensure(tx, int(external_id))
        found = await tx.execute_fetchall(
            "SELECT resident_id FROM accounts WHERE channel = ? AND external_id = ?",
            (channel, external_id))
        if found:
            return int(next(iter(found))[0])
        now = self._db.now_iso()
        async with tx.execute(
            "INSERT INTO residents (created_at, updated_at) VALUES (?, ?) RETURNING id",
            (now, now),
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        await tx.execute(
            "INSERT INTO accounts (resident_id, channel, external_id, created_at) "
            "VALUES (?, ?, ?, ?)", (int(row[0]), channel, external_id, now))
        return int(row[0])

    async def update(self, tx: Tx, resident_id: int, **fields: object) -> None:
        """Set columns of one resident; the column names come from code, never from input."""
        allowed = {
            "display_name", "language", "commune_id", "hamlet_id", "phone", "consent",
            "consent_at", "consent_version", "mute_propaganda", "unreachable_at", "on_board",
        }
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown resident fields: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in fields)
        await tx.execute(
            f"UPDATE residents SET {assignments}, updated_at = ? WHERE id = ?",
            (*fields.values(), self._db.now_iso(), resident_id),
        )

    async def mark_opened(self, tx: Tx, resident_id: int) -> None:
        """Record that the person has written to the bot privately (the first time only)."""
        await tx.execute(
            "UPDATE residents SET opened_at = ? WHERE id = ? AND opened_at IS NULL",
            (self._db.now_iso(), resident_id),
        )

    async def set_consent(self, tx: Tx, resident_id: int, consent: Consent, version: str) -> None:
        await self.update(
            tx, resident_id, consent=consent, consent_at=self._db.now_iso(),
            consent_version=version,
        )

    async def set_tags(self, tx: Tx, resident_id: int, tags: Iterable[str]) -> None:
        await tx.execute("DELETE FROM resident_tags WHERE resident_id = ?", (resident_id,))
        await tx.executemany(
            "INSERT INTO resident_tags (resident_id, tag) VALUES (?, ?)",
            [(resident_id, tag) for tag in sorted(set(tags))],
        )

    async def erase(self, tx: Tx, resident_id: int) -> None:
        """Forget everything about a resident but the Telegram id and the refusal to be kept."""
        await tx.execute("DELETE FROM resident_tags WHERE resident_id = ?", (resident_id,))
        await tx.execute("DELETE FROM memberships WHERE resident_id = ?", (resident_id,))
        await tx.execute("DELETE FROM join_rejections WHERE resident_id = ?", (resident_id,))
        await tx.execute("DELETE FROM dialogs WHERE resident_id = ?", (resident_id,))
        self._dialogs.drop(resident_id)
        await tx.execute("DELETE FROM ptb_user_data WHERE user_id = (SELECT telegram_id "
                         "FROM residents WHERE id = ?)", (resident_id,))
        # Reports stay as records, unlinked from the person (bot/store/reports.py).
        await tx.execute("UPDATE reports SET reporter_id = NULL WHERE reporter_id = ?",
                         (resident_id,))
        await self.update(
            tx, resident_id, display_name=None, commune_id=None, hamlet_id=None, phone=None,
            mute_propaganda=0, consent="none", consent_at=None, consent_version=None,
        )

    # --- roles ---------------------------------------------------------------------------

    async def grant_role(
        self, tx: Tx, resident_id: int, role: StaffRole, commune_id: int | None, granted_by: str
    ) -> bool:
        """Grant a role; False if the resident already held it."""
        cursor = await tx.execute(
            "INSERT OR IGNORE INTO roles (resident_id, role, commune_id, granted_at, granted_by) "
            "VALUES (?, ?, ?, ?, ?)",
            (resident_id, role, commune_id, self._db.now_iso(), granted_by),
        )
        return cursor.rowcount > 0

    async def revoke_role(
        self, tx: Tx, resident_id: int, role: StaffRole, commune_id: int | None
    ) -> bool:
        cursor = await tx.execute(
            "DELETE FROM roles WHERE resident_id = ? AND role = ? "
            "AND ifnull(commune_id, 0) = ifnull(?, 0)",
            (resident_id, role, commune_id),
        )
        return cursor.rowcount > 0

    # --- reads ---------------------------------------------------------------------------

    async def get(self, resident_id: int) -> Resident | None:
        row = await self._db.fetchone("SELECT * FROM residents WHERE id = ?", (resident_id,))
        return None if row is None else _resident(row)

    async def by_telegram_id_seen(self, telegram_id: int) -> tuple[Resident, str | None] | None:
        """The resident and when their Telegram account last wrote, in one read."""
        row = await self._db.fetchone(
            "SELECT r.*, a.last_seen_at AS account_seen FROM residents r LEFT JOIN accounts a "
            "ON a.channel = 'telegram' AND a.external_id = CAST(r.telegram_id AS TEXT) "
            "WHERE r.telegram_id = ?", (telegram_id,))
        return None if row is None else (_resident(row), row["account_seen"])

    async def by_phone(self, e164: str, commune_id: int) -> Resident | None:
        """The consenting resident of the commune who shared this number (E.164)."""
        row = await self._db.fetchone(
            "SELECT * FROM residents WHERE phone = ? AND commune_id = ? AND consent = 'given' "
            "ORDER BY id LIMIT 1", (e164, commune_id))
        return None if row is None else _resident(row)

    async def by_telegram_id(self, telegram_id: int) -> Resident | None:
        row = await self._db.fetchone(
            "SELECT * FROM residents WHERE telegram_id = ?", (telegram_id,)
        )
        return None if row is None else _resident(row)

    async def tags(self, resident_id: int) -> list[str]:
        rows = await self._db.fetchall(
            "SELECT tag FROM resident_tags WHERE resident_id = ? ORDER BY tag", (resident_id,)
        )
        return [row[0] for row in rows]

    async def has_role(self, resident_id: int, role: StaffRole, commune_id: int) -> bool:
        """True for the role in this commune, or for an admin anywhere."""
        found = await self._db.scalar(
            "SELECT 1 FROM roles WHERE resident_id = ? AND ((role = ? AND commune_id = ?) "
            "OR (role = 'admin' AND commune_id IS NULL)) LIMIT 1",
            (resident_id, role, commune_id),
        )
        return found is not None

    async def officers(self, commune_id: int) -> list[Resident]:
        rows = await self._db.fetchall(
            "SELECT r.* FROM residents r JOIN roles o ON o.resident_id = r.id "
            "WHERE o.role = 'officer' AND o.commune_id = ? ORDER BY r.telegram_id",
            (commune_id,),
        )
        return [_resident(row) for row in rows]

    async def officer_roles(self, commune_id: int | None = None) -> list[OfficerRole]:
        """Officer roles of one commune (or all), with who granted them and when."""
        rows = await self._db.fetchall(
            "SELECT r.telegram_id, r.display_name, c.code, o.granted_at, o.granted_by "
            "FROM roles o JOIN residents r ON r.id = o.resident_id "
            "JOIN communes c ON c.id = o.commune_id "
            "WHERE o.role = 'officer' AND (? IS NULL OR o.commune_id = ?) "
            "ORDER BY c.code, r.telegram_id",
            (commune_id, commune_id),
        )
        return [OfficerRole(*row) for row in rows]

    async def staff_contacts(self) -> list[StaffContact]:
        """Every commune's officers and every team's leader, with what the bot knows about
        reaching them (officers first, by commune)."""
        rows = await self._db.fetchall(
            "SELECT 'officer', c.code, NULL, r.telegram_id, r.display_name, r.opened_at, "
            "r.unreachable_at FROM roles o JOIN residents r ON r.id = o.resident_id "
            "JOIN communes c ON c.id = o.commune_id WHERE o.role = 'officer' "
            "UNION ALL "
            "SELECT 'leader', c.code, t.code, r.telegram_id, r.display_name, r.opened_at, "
            "r.unreachable_at FROM memberships m JOIN residents r ON r.id = m.resident_id "
            "JOIN teams t ON t.id = m.team_id JOIN communes c ON c.id = t.commune_id "
            "WHERE m.role = 'leader' "
            "ORDER BY 1 DESC, 2, 3, 4",
        )
        return [StaffContact(*row) for row in rows]

"""People with accounts on several channels, written straight into a real database."""

from __future__ import annotations

from bot.models import Audience, Channel, Recipient
from bot.store import Store

SEEN_LONG_AGO = "2026-11-01T00:00:00+00:00"
SEEN_LATELY = "2026-11-24T00:00:00+00:00"


async def commune(store: Store, code: str = "hung-loc") -> Audience:
    """A commune, as the audience of all of it."""
    async with store.db.transaction() as tx:
        return Audience(await store.areas.upsert_commune(tx, code, "Xã Hưng Lộc", None))


async def person(
    store: Store, audience: Audience, *, telegram: int | None = None, zalo: str | None = None,
    last: Channel | None = None, consent: bool = True,
) -> int:
    """A consenting resident of the commune with these accounts; `last`: the one they used
    last (the others long ago; none: never used)."""
    async with store.db.transaction() as tx:
        if telegram is not None:
            resident_id = await store.residents.ensure(tx, telegram)
            if zalo is not None:
                await store.accounts.add(tx, resident_id, "zalo", zalo)
        else:
            assert zalo is not None
            resident_id = await store.residents.ensure_account(tx, "zalo", zalo)
        await store.residents.update(tx, resident_id, commune_id=audience.commune_id)
        if consent:
            await store.residents.set_consent(tx, resident_id, "given", "t")
        if last is not None:
            await tx.execute(
                "UPDATE accounts SET last_seen_at = CASE WHEN channel = ? THEN ? ELSE ? END "
                "WHERE resident_id = ?", (last, SEEN_LATELY, SEEN_LONG_AGO, resident_id))
    return resident_id


async def account_unreachable(store: Store, channel: Channel, external_id: str) -> str | None:
    return await store.db.scalar(
        "SELECT unreachable_at FROM accounts WHERE channel = ? AND external_id = ?",
        (channel, external_id))


def where(recipients: list[Recipient]) -> dict[int | None, tuple[Channel, int | str]]:
    """Each recipient's person → (channel, chat)."""
    return {r.resident_id: (r.channel, r.chat_id) for r in recipients}

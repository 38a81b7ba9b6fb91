"""Reaching a person on their preferred account: audiences, alarm recipients, relays, the
outbox's own routing, unreachable accounts and erasure — real SQLite, no sender."""

from __future__ import annotations

from pathlib import Path

from bot.media import MediaStore
from bot.models import Lane, Recipient
from bot.services.broadcasts import set_reachable
from bot.services.relays import RelayService
from bot.store import Store, Tx
from bot.store.erasure import TOMBSTONE_CHAT
from bot.store.outbox import Outcome
from tests.accounts import account_unreachable, commune, person, where

ZA, ZB, ZC = "7a1f00c3e2", "0b9e11aa40", "c0ffee0001"


async def blank(db: Store, tx: Tx, lane: Lane) -> int:
    """A broadcast with no recipients yet."""
    return await db.broadcasts.create(tx, commune_id=None, lane=lane, payload="{}")


async def test_an_audience_holds_each_person_once_on_the_account_they_used_last(
    db: Store,
) -> None:
    audience = await commune(db)
    only_telegram = await person(db, audience, telegram=501)
    only_zalo = await person(db, audience, zalo=ZA)
    on_zalo = await person(db, audience, telegram=503, zalo=ZB, last="zalo")
    on_telegram = await person(db, audience, telegram=504, zalo=ZC, last="telegram")
    await person(db, audience, telegram=505, consent=False)
    found = await db.broadcasts.recipients(audience, include_muted=False)
    assert len(found) == 4
    assert where(found) == {only_telegram: ("telegram", 501), only_zalo: ("zalo", ZA),
                            on_zalo: ("zalo", ZB), on_telegram: ("telegram", 504)}
    assert await db.broadcasts.count_recipients(audience, include_muted=False) == 4


async def test_an_unreachable_account_is_skipped_and_a_person_with_none_left_out(
    db: Store,
) -> None:
    audience = await commune(db)
    both = await person(db, audience, telegram=601, zalo=ZA, last="zalo")
    gone = await person(db, audience, zalo=ZB)
    async with db.db.transaction() as tx:
        await db.routes.mark_reachable(tx, "zalo", ZA, False)
        await db.routes.mark_reachable(tx, "zalo", ZB, False)
    assert where(await db.broadcasts.recipients(audience, include_muted=True)) == {
        both: ("telegram", 601)}
    resident = await db.residents.get(gone)
    assert resident is not None and resident.unreachable_at is not None  # no account left
    resident = await db.residents.get(both)
    assert resident is not None and resident.unreachable_at is None
    # a message to them is still tried on the account they used last
    assert (await db.routes.recipients([gone]))[gone] == Recipient(gone, ZB, "zalo")


async def test_telegram_only_people_behave_as_before_accounts(db: Store) -> None:
    """Blocked on Telegram: out of audiences; back: in again. A person written before
    accounts existed (no account row) is reached by their Telegram id."""
    audience = await commune(db)
    blocked = await person(db, audience, telegram=701)
    async with db.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO residents (telegram_id, commune_id, consent, created_at, updated_at) "
            "VALUES (702, ?, 'given', 'x', 'x')", (audience.commune_id,))
    legacy = await db.residents.by_telegram_id(702)
    assert legacy is not None
    now = db.db.clock.now()
    await set_reachable(db, 701, False, now)
    assert where(await db.broadcasts.recipients(audience, include_muted=True)) == {
        legacy.id: ("telegram", 702)}
    assert await account_unreachable(db, "telegram", "701") is not None
    await set_reachable(db, 701, True, now)
    await set_reachable(db, 702, False, now)
    assert where(await db.broadcasts.recipients(audience, include_muted=True)) == {
        blocked: ("telegram", 701)}


async def test_the_outbox_sends_a_persons_message_to_their_preferred_account(
    db: Store,
) -> None:
    """Whatever chat a caller names for a person (a handler that knows only the Telegram id),
    the row goes to the account they use; a person or a chat given twice is queued once."""
    audience = await commune(db)
    zalo_user = await person(db, audience, telegram=801, zalo=ZA, last="zalo")
    async with db.db.transaction() as tx:
        broadcast = await blank(db, tx, "personal")
        total = await db.outbox.add(tx, broadcast, 1, [
            Recipient(zalo_user, 801), Recipient(zalo_user, ZA, "zalo"),
            Recipient(None, -100500), Recipient(None, -100500), Recipient(None, "9f9f", "zalo")])
    assert total == 3
    rows = [(d.resident_id, d.channel, d.chat_id) for d in await db.outbox.deliveries(broadcast)]
    assert rows == [(zalo_user, "zalo", ZA), (None, "telegram", -100500),
                    (None, "zalo", "9f9f")]


async def test_alarm_recipients_and_relays_reach_people_on_their_channel(
    db: Store, tmp_path: Path
) -> None:
    audience = await commune(db)
    member = await person(db, audience, zalo=ZA)
    other = await person(db, audience, telegram=901, zalo=ZB, last="telegram")
    async with db.db.transaction() as tx:
        alarm_id = await db.alarms.create(
            tx, [member, other], draft_token=None, commune_id=audience.commune_id,
            caller_id=None, caller_role="officer", caller_name="x", scope_kind="commune",
            scope_id=audience.commune_id, scope_name="x", kind="trom", note=None,
            latitude=None, longitude=None, sent_at="2026-11-24T00:00:00+00:00",
            expires_at="2026-11-24T01:00:00+00:00", escalate_at=None)
    found = {r.resident_id: r.recipient for r in await db.alarms.recipients(alarm_id)}
    assert found == {member: Recipient(member, ZA, "zalo"),
                     other: Recipient(other, 901, "telegram")}
    assert await db.alarms.audience_of_commune(audience.commune_id) == sorted([member, other])

    class NoEngine:
        def on_finished(self, *_: object) -> None:
            pass

    relays = RelayService(db, NoEngine(), MediaStore(Path(db.db.path).parent))  # type: ignore[arg-type]
    assert await relays.recipient(member) == Recipient(member, ZA, "zalo")
    assert await relays.recipient(None) is None


async def test_unreachable_on_zalo_marks_that_account_and_drops_its_queued_rows(
    db: Store,
) -> None:
    audience = await commune(db)
    both = await person(db, audience, telegram=1001, zalo=ZA, last="zalo")
    only = await person(db, audience, zalo=ZB)
    async with db.db.transaction() as tx:
        first = await blank(db, tx, "announcement")
        second = await blank(db, tx, "announcement")
        for broadcast in (first, second):
            await db.outbox.add(tx, broadcast, 2,
                                [Recipient(both, 1001), Recipient(only, ZB, "zalo")])
        claimed = await db.outbox.claim(tx, 2, 1e12, channel="zalo")
    assert {(c.channel, c.chat_id) for c in claimed} == {("zalo", ZA), ("zalo", ZB)}
    assert all(c.broadcast_id == first for c in claimed)
    async with db.db.transaction() as tx:
        dropped = await db.outbox.record(tx, [
            Outcome(c.id, c.broadcast_id, "unreachable", 1, "403 blocked") for c in claimed])
    assert dropped == {("zalo", ZA): 1, ("zalo", ZB): 1}
    assert await account_unreachable(db, "zalo", ZA) is not None
    assert await account_unreachable(db, "telegram", "1001") is None
    assert (await db.residents.get(both)).unreachable_at is None  # type: ignore[union-attr]
    assert (await db.residents.get(only)).unreachable_at is not None  # type: ignore[union-attr]
    assert where(await db.broadcasts.recipients(audience, include_muted=True)) == {
        both: ("telegram", 1001)}


async def test_erasure_leaves_no_zalo_address_in_the_outbox(db: Store) -> None:
    audience = await commune(db)
    gone = await person(db, audience, telegram=1101, zalo=ZA, last="zalo")
    stays = await person(db, audience, zalo=ZB)
    async with db.db.transaction() as tx:
        sent = await blank(db, tx, "announcement")
        queued = await blank(db, tx, "announcement")
        await db.outbox.add(tx, sent, 2,
                            [Recipient(gone, ZA, "zalo"), Recipient(stays, ZB, "zalo")])
        await db.outbox.add(tx, queued, 2, [Recipient(gone, ZA, "zalo")])
        # a message to their Zalo chat that does not name them (a notice)
        await db.outbox.add(tx, queued, 2, [Recipient(None, ZA, "zalo")])
        rows = await db.outbox.claim(tx, 10, 1e12, channel="zalo")
        await db.outbox.record(tx, [Outcome(r.id, r.broadcast_id, "sent", 1, message_id="a1")
                                    for r in rows if r.broadcast_id == sent])
        await db.erasure.forget(tx, gone, lambda text: text)
    leftovers = await db.db.fetchall(
        "SELECT broadcast_id, resident_id, channel, chat_id, address, message_id, state "
        "FROM outbox ORDER BY id")
    assert not any(ZA in [str(value) for value in row] for row in leftovers)
    tombstone, kept = [tuple(row) for row in leftovers]
    assert tombstone[:3] == (sent, None, "zalo") and tombstone[3] < TOMBSTONE_CHAT
    assert tombstone[4:] == (None, None, "sent")
    assert kept == (sent, stays, "zalo", None, ZB, "a1", "sent")
    assert await db.accounts.of_resident(gone) == []

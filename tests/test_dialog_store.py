"""The open conversations are kept in memory and written behind (bot/store/dialogs.py): what a
second connection sees, what a stop writes, and that nobody deleted comes back — on a real
database."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.config import Config
from bot.models import Dialog
from bot.store import Store


def draft(resident_id: int, step: str = "describe", data: str = "{}", *,
          expires_at: str = "2099-01-01T00:00:00+00:00") -> Dialog:
    return Dialog(resident_id=resident_id, flow="report", step=step, data=data,
                  channel="zalo", address=f"z{resident_id}", prompt_seq=1, choices="[]",
                  expires_at=expires_at)


async def someone(store: Store, external_id: str) -> int:
    async with store.db.transaction() as tx:
        return await store.residents.ensure_account(tx, "zalo", external_id)


async def on_disk(config: Config, clock: FakeClock, resident_id: int) -> Dialog | None:
    """What another connection (a restarted bot) reads."""
    other = await Store.open(config.database.path, clock)
    try:
        return await other.dialogs.get(resident_id)
    finally:
        await other.close()


async def test_steps_are_written_together_and_a_stop_writes_what_is_left(
    config: Config, store: Store, clock: FakeClock,
) -> None:
    first, second = await someone(store, "a1"), await someone(store, "a2")
    await store.dialogs.put(draft(first, "describe"))
    await store.dialogs.put(draft(second, "place"))
    await store.dialogs.put(draft(first, "photos"))
    assert (await store.dialogs.get(first)).step == "photos"  # type: ignore[union-attr]
    await store.dialogs.flush()
    written = await on_disk(config, clock, first)
    assert written is not None and written.step == "photos"

    await store.dialogs.put(draft(second, "anonymity"))
    assert await store.dialogs.end(first, "report")
    await store.close()  # a graceful stop
    assert await on_disk(config, clock, first) is None
    kept = await on_disk(config, clock, second)
    assert kept is not None and kept.step == "anonymity"


async def test_a_person_deleted_before_their_step_is_written_is_not_brought_back(
    config: Config, store: Store, clock: FakeClock,
) -> None:
    gone = await someone(store, "b1")
    await store.dialogs.put(draft(gone, "photos", '{"photos": ["' + "ab" * 32 + '"]}'))
    async with store.db.transaction() as tx:
        keys = await store.erasure.forget(tx, gone, lambda text: text)
    assert "ab" * 32 in keys  # the unwritten draft's photo goes with the person
    assert await store.dialogs.get(gone) is None
    await store.dialogs.flush()
    assert await on_disk(config, clock, gone) is None
    assert await store.db.scalar("SELECT count(*) FROM dialogs") == 0


async def test_an_offer_shadows_a_step_not_yet_written(
    config: Config, store: Store, clock: FakeClock,
) -> None:
    who = await someone(store, "c1")
    await store.dialogs.put(draft(who))
    async with store.db.transaction() as tx:
        await store.prompts.offer(tx, "zalo", f"z{who}", [("Đang đến", "al:a:1:coming")],
                                  "2099-01-01T00:00:00+00:00")
    shadowed = await store.dialogs.get(who)
    assert shadowed is not None and shadowed.shadowed_by is not None
    await store.dialogs.flush()
    written = await on_disk(config, clock, who)
    assert written is not None and written.shadowed_by == shadowed.shadowed_by


async def test_expiry_spares_a_flow_that_moved_on_meanwhile(
    store: Store,
) -> None:
    stale, lively = await someone(store, "d1"), await someone(store, "d2")
    past = "2000-01-01T00:00:00+00:00"
    await store.dialogs.put(draft(stale, expires_at=past))
    await store.dialogs.put(draft(lively, expires_at=past))
    await store.dialogs.flush()
    await store.dialogs.put(draft(lively, "place"))  # a step ran: a new expiry
    expired = await store.dialogs.take_expired("2026-11-24T00:00:00+00:00")
    assert [dialog.resident_id for dialog in expired] == [stale]
    assert await store.dialogs.get(stale) is None
    moved = await store.dialogs.get(lively)
    assert moved is not None and moved.step == "place"

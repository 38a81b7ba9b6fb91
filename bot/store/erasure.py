"""Deleting a person (Decree 13/2023): every table that names them, links to them or holds
their chats, in one transaction.

After `forget` no row holds the person's Telegram id, name, phone, tags, memberships, roles,
answers, drafts or conversation state, nor a chat or message id of their private chat, nor a
photo or voice note they sent. What the commune keeps is kept without them: reports (reporter
unlinked, their words redacted), audit entries (no actor, no ids of them in the detail),
delivered messages (the row counts for the broadcast's figures, its chat is a tombstone below
every Telegram id), and the number of alarm recipients and responders (alarm_forgotten).

`forget` returns the media keys its rows named (photos, voice notes, a draft's photos): the
caller removes the files no other row names once the transaction is committed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.store.db import Database, Tx
from bot.store.dialogs import DialogStore
from bot.store.media import keys_in

# A delivered message's chat, once its recipient is forgotten: TOMBSTONE_CHAT - row id, below
# every Telegram chat id (they fit in 52 bits) and unique per row, as outbox's UNIQUE wants.
# On every channel: a row to another messenger loses its address and gets this chat too.
TOMBSTONE_CHAT = -(2**53)

# Outbox rows to the person: by their id, their Telegram chat, or any of their accounts'
# chats (parameters: resident id, Telegram id, resident id).
_MINE = ("(resident_id = ? OR (channel = 'telegram' AND chat_id = ?) OR EXISTS (SELECT 1 "
         "FROM accounts a WHERE a.resident_id = ? AND a.channel = outbox.channel "
         "AND a.external_id = coalesce(outbox.address, CAST(outbox.chat_id AS TEXT))))")

Redact = Callable[[str], str]


class ErasureStore:
    def __init__(self, db: Database, dialogs: DialogStore) -> None:
        self._db = db
        self._dialogs = dialogs

    async def forget(self, tx: Tx, resident_id: int, redact: Redact) -> set[str]:
        """Delete the resident and every trace of them (see the module's docstring); the media
        keys no longer named by the rows that named them."""
        row = await (await tx.execute(
            "SELECT telegram_id FROM residents WHERE id = ?", (resident_id,))).fetchone()
        telegram_id = None if row is None else row[0]
        # A report of theirs no longer says which patrol it came from (its members would
        # narrow down who sent it); their shifts' assignments go with the person (CASCADE).
        await tx.execute("DELETE FROM patrol_reports WHERE report_id IN (SELECT id FROM "
                         "reports WHERE reporter_id = ?)", (resident_id,))
        media = await self._reports(tx, resident_id, telegram_id, redact)
        await self._alarms(tx, resident_id, telegram_id, redact)
        await self._personal(tx, resident_id, telegram_id, redact, media)
        await self._deliveries(tx, resident_id, telegram_id)
        await self._audit(tx, resident_id, telegram_id, redact)
        await self._membership(tx, resident_id)
        if telegram_id is not None:
            for (data,) in await tx.execute_fetchall(
                    "SELECT data FROM ptb_user_data WHERE user_id = ?", (telegram_id,)):
                media |= keys_in(data)  # an open draft's photos
            await tx.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (telegram_id,))
            await tx.execute(
                "DELETE FROM ptb_conversations WHERE EXISTS (SELECT 1 FROM "
                "json_each(ptb_conversations.key) WHERE json_each.value = ?)", (telegram_id,))
        await tx.execute(
            "DELETE FROM open_prompts WHERE EXISTS (SELECT 1 FROM accounts a WHERE "
            "a.resident_id = ? AND a.channel = open_prompts.channel "
            "AND a.external_id = open_prompts.address)", (resident_id,))
        dialog = await self._dialogs.get(resident_id)
        if dialog is not None:
            media |= keys_in(dialog.data)  # an open draft's photos
        await tx.execute("DELETE FROM residents WHERE id = ?", (resident_id,))
        self._dialogs.drop(resident_id)
        return media

    async def _reports(
        self, tx: Tx, resident_id: int, telegram_id: int | None, redact: Redact
    ) -> set[str]:
        """Their reports stay, unlinked, their words redacted, their photos and voice notes
        dropped (and those they sent in messages about any report); the bot's messages in
        their chat are no longer linked to any report. Returns the media keys dropped."""
        reports = await tx.execute_fetchall(
            "SELECT id, description, address, state_note, voice_media_key FROM reports "
            "WHERE reporter_id = ?", (resident_id,))
        await tx.executemany(
            "UPDATE reports SET reporter_id = NULL, voice_file_id = NULL, voice_media_key = NULL, "
            "description = ?, address = ?, state_note = ? WHERE id = ?",
            [(redact(r[1]), _maybe(redact, r[2]), _maybe(redact, r[3]), r[0]) for r in reports])
        media = {r[4] for r in reports if r[4] is not None}
        ids = [r[0] for r in reports]
        marks = ", ".join("?" * len(ids)) or "NULL"
        media |= {row[0] for row in await tx.execute_fetchall(
            f"SELECT media_key FROM report_media WHERE report_id IN ({marks}) "
            "AND media_key IS NOT NULL", ids)}
        await tx.execute(f"DELETE FROM report_media WHERE report_id IN ({marks})", ids)
        messages = await tx.execute_fetchall(
            f"SELECT id, text, actor_id = ?, media_key FROM report_messages "
            f"WHERE actor_id = ? OR report_id IN ({marks})", (resident_id, resident_id, *ids))
        media |= {m[3] for m in messages if m[2] and m[3] is not None}
        await tx.executemany(
            "UPDATE report_messages SET text = ?, "
            "file_id = CASE WHEN actor_id = ? THEN NULL ELSE file_id END, "
            "media_key = CASE WHEN actor_id = ? THEN NULL ELSE media_key END, "
            "actor_id = CASE WHEN actor_id = ? THEN NULL ELSE actor_id END WHERE id = ?",
            [(_maybe(redact, m[1]), resident_id, resident_id, resident_id, m[0])
             for m in messages])
        if telegram_id is not None:
            await tx.execute("DELETE FROM report_links WHERE chat_id = ?", (telegram_id,))
        return media

    async def _alarms(
        self, tx: Tx, resident_id: int, telegram_id: int | None, redact: Redact
    ) -> None:
        """Alarms they got: only counted. Alarms they sounded: no caller, name or chat."""
        await tx.execute(
            "INSERT INTO alarm_forgotten (alarm_id, recipients, coming) "
            "SELECT alarm_id, 1, response IS 'coming' FROM alarm_recipients "
            "WHERE resident_id = ? ON CONFLICT (alarm_id) DO UPDATE SET "
            "recipients = recipients + 1, coming = coming + excluded.coming", (resident_id,))
        await tx.execute("DELETE FROM alarm_recipients WHERE resident_id = ?", (resident_id,))
        sounded = await tx.execute_fetchall(
            "SELECT id, note FROM alarms WHERE caller_id = ?", (resident_id,))
        await tx.executemany(
            "UPDATE alarms SET caller_id = NULL, caller_name = '', note = ?, "
            "caller_chat_id = NULL, caller_message_id = NULL WHERE id = ?",
            [(_maybe(redact, a[1]), a[0]) for a in sounded])
        await tx.execute("UPDATE alarms SET ended_by = NULL WHERE ended_by = ?", (resident_id,))
        await tx.execute(
            "UPDATE alarms SET caller_chat_id = NULL, caller_message_id = NULL "
            "WHERE caller_chat_id = ?", (telegram_id,))

    async def _personal(
        self, tx: Tx, resident_id: int, telegram_id: int | None, redact: Redact,
        media: set[str],
    ) -> None:
        """Person-to-person messages (relays about a report and their notices, status notices,
        a card's photos) keep their place in the figures but not the person: their words and
        names are redacted from the text of every personal-lane message to or from them or
        about one of their reports, and a photo of theirs (one of `media`) is taken out; a
        relay not yet settled forgets the chat it was to tell."""
        relays = "SELECT 'relay:' || l.id FROM relays l JOIN reports r ON r.id = l.report_id " \
            "WHERE r.reporter_id = ? UNION ALL SELECT 'relay-notice:' || l.id FROM relays l " \
            "JOIN reports r ON r.id = l.report_id WHERE r.reporter_id = ?"
        rows = await tx.execute_fetchall(
            "SELECT id, payload FROM broadcasts b WHERE lane = 'personal' AND ("
            f"origin IN ({relays}) OR created_by = ? OR EXISTS (SELECT 1 FROM outbox "
            f"WHERE outbox.broadcast_id = b.id AND {_MINE}))",
            (resident_id, resident_id, resident_id, resident_id, telegram_id, resident_id))
        changed = []
        for broadcast_id, payload in rows:
            message = json.loads(payload)
            if isinstance(message.get("text"), str):
                message["text"] = redact(message["text"])
            if keys_in(str(message.get("photo_path") or "")) & media:
                message["photo"] = message["photo_path"] = None  # the file id too: theirs
            redacted = json.dumps(message, ensure_ascii=False)
            if redacted != payload:
                changed.append((redacted, broadcast_id))
        await tx.executemany("UPDATE broadcasts SET payload = ? WHERE id = ?", changed)
        if telegram_id is not None:
            await tx.execute("UPDATE relays SET notify_chat_id = NULL, notify_reply_to = NULL "
                             "WHERE notify_chat_id = ?", (telegram_id,))

    async def _deliveries(self, tx: Tx, resident_id: int, telegram_id: int | None) -> None:
        """Undelivered messages to them go; delivered ones stay as tombstones (for the
        broadcast's figures, on their channel, without the chat); their quiz answers go;
        what they sent loses its author."""
        mine = (resident_id, telegram_id, resident_id)
        await tx.execute(
            f"DELETE FROM outbox WHERE {_MINE} AND state IN ('queued', 'sending')", mine)
        await tx.execute(
            "UPDATE outbox SET resident_id = NULL, chat_id = ? - id, address = NULL, "
            f"message_id = NULL, ref = NULL, last_error = NULL WHERE {_MINE}",
            (TOMBSTONE_CHAT, *mine))
        await tx.execute("DELETE FROM quiz_answers WHERE resident_id = ?", (resident_id,))
        await tx.execute(
            "UPDATE broadcasts SET progress_chat_id = NULL, progress_message_id = NULL "
            "WHERE progress_chat_id = ?", (telegram_id,))
        await tx.execute(  # "chat:<channel>:<address>": where its author was to be told
            "UPDATE broadcasts SET origin = 'chat' WHERE created_by = ? AND origin LIKE 'chat:%'",
            (resident_id,))
        for table, column in (("broadcasts", "created_by"), ("broadcast_schedules", "created_by"),
                              ("campaign_state", "changed_by")):
            await tx.execute(f"UPDATE {table} SET {column} = NULL WHERE {column} = ?",
                             (resident_id,))

    async def _audit(
        self, tx: Tx, resident_id: int, telegram_id: int | None, redact: Redact
    ) -> None:
        """Their own history goes; entries about others keep what happened, not who did it."""
        await tx.execute(
            "DELETE FROM audit_log WHERE subject_type = 'resident' AND subject_id = ?",
            (resident_id,))
        await tx.execute("UPDATE audit_log SET actor_id = NULL WHERE actor_id = ?", (resident_id,))
        rows = await tx.execute_fetchall("SELECT id, detail FROM audit_log WHERE detail != '{}'")
        changed = []
        for row_id, detail in rows:
            cleaned = json.dumps(_scrub(json.loads(detail), resident_id, telegram_id, redact),
                                 ensure_ascii=False, sort_keys=True)
            if cleaned != detail:
                changed.append((cleaned, row_id))
        await tx.executemany("UPDATE audit_log SET detail = ? WHERE id = ?", changed)

    async def _membership(self, tx: Tx, resident_id: int) -> None:
        for sql in ("DELETE FROM resident_tags WHERE resident_id = ?",
                    "DELETE FROM memberships WHERE resident_id = ?",
                    "UPDATE memberships SET decided_by = NULL WHERE decided_by = ?",
                    "DELETE FROM roles WHERE resident_id = ?"):
            await tx.execute(sql, (resident_id,))


def _maybe(redact: Redact, text: str | None) -> str | None:
    return None if text is None else redact(text)


def _scrub(value: Any, resident_id: int, telegram_id: int | None, redact: Redact,
           key: str = "") -> Any:
    """An audit detail without the person: their Telegram id (as number or text), their
    resident id under a key that names a resident, their names in any text."""
    if isinstance(value, dict):
        return {k: _scrub(v, resident_id, telegram_id, redact, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, resident_id, telegram_id, redact, key) for v in value]
    if telegram_id is not None and value in (telegram_id, str(telegram_id)):
        return None
    if key.endswith("resident_id") and value == resident_id:
        return None
    if isinstance(value, str):
        return redact(value)
    return value

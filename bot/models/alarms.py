"""The security gong: alarms and the people they reach."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.models.delivery import Recipient
from bot.models.people import Channel

AlarmScope = Literal["team", "hamlet", "commune"]
AlarmState = Literal["active", "all_clear", "expired"]
AlarmResponse = Literal["coming", "cannot"]


@dataclass(frozen=True, slots=True)
class Alarm:
    """A security-gong alarm, in the shape of a CAP 1.2 alert."""

    id: int
    identifier: str
    commune_id: int
    caller_id: int | None
    caller_role: str
    caller_name: str
    scope_kind: AlarmScope
    scope_id: int
    scope_name: str
    kind: str
    note: str | None
    latitude: float | None
    longitude: float | None
    status: str
    state: AlarmState
    sent_at: str
    expires_at: str
    escalate_at: str | None
    escalated_at: str | None
    ended_at: str | None
    ended_by: int | None
    caller_chat_id: int | None
    caller_message_id: int | None


@dataclass(frozen=True, slots=True)
class AlarmRecipient:
    resident_id: int
    telegram_id: int | None
    display_name: str | None
    language: str | None
    response: AlarmResponse | None
    # The account the gong reaches them on (their preferred one, bot/store/routes.py);
    # None: there is no way to them.
    channel: Channel | None = None
    address: str | None = None

    @property
    def recipient(self) -> Recipient | None:
        """Where the gong goes, as an outbox recipient; None if they cannot be reached."""
        if self.channel is None or self.address is None:
            return None
        return Recipient.account(self.resident_id, self.channel, self.address)

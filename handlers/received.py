"""An announcement's "Đã nhận" on a Zalo Official Account: the press is an interaction that
keeps the follower's 7-day window open (the channel stamps every event it receives); the
answer thanks them, so the press is never met with silence."""

from __future__ import annotations

from bot.dialog import Action, Turn

RECEIVED = "rcv"  # bot/channels/zalo_oa/sender.py puts it under every announcement


async def received(turn: Turn, parts: tuple[str, ...]) -> None:
    del parts
    await turn.notify(turn.t("broadcast.received_thanks"))


def actions() -> list[Action]:
    return [Action(RECEIVED, received)]

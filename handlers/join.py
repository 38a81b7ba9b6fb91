"""/thamgia CODE (/join): ask to join a team, with the code or asked for it.

The request itself is an event (`events.join_requested`): whoever listens files it and asks the
team's leader — or the commune's officers — to decide (bot/channels/telegram/join_requests.py
today); its answers reach the person through the turn, on whatever channel they wrote."""

from __future__ import annotations

from bot.dialog import END, Flow, Kind, Turn


async def start(turn: Turn) -> str:
    """With a code, asks to join that team; without one, asks for the code."""
    if not turn.person.has_consented:
        await turn.say(turn.t("consent.required"))
        return END
    words = turn.text.split()
    if not words:
        await turn.say(turn.t("team.ask_code"))
        return "code"
    await turn.services.events.join_requested(turn, words[0])
    return END


async def code(turn: Turn) -> str:
    """The message after /thamgia: its last word is the code ("mã là HN01"); anything but
    text asks for the code again."""
    words = turn.text.split() if turn.kind is Kind.TEXT else []
    if not words:
        await turn.say(turn.t("team.ask_code"))
        return "code"
    await turn.services.events.join_requested(turn, words[-1])
    return END


def build_flow() -> Flow:
    return Flow(name="join", commands=("thamgia", "join"), start=start, steps={"code": code},
                timeout_minutes=30)

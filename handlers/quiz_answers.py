"""A campaign's quiz answered where there are no polls (Zalo): its options come as numbered
lines; a typed number or option is an action that records the first answer and says whether it
was right, with the explanation — what a Telegram quiz poll shows by itself."""

from __future__ import annotations

from bot.dialog import Action, Turn
from handlers.text import esc

QUIZ = "qz"  # qz:<the message's ref>:<option index> (bot/channels/zalo_bot/sender.py)


async def answer(turn: Turn, parts: tuple[str, ...]) -> None:
    """Records the answer (the first one counts) and says right or wrong, and why."""
    ref, index = (parts[0], parts[1]) if len(parts) == 2 else ("", "")
    option = int(index) if index.isascii() and index.isdigit() and len(index) < 4 else None
    answered = None if option is None else await turn.services.campaigns.answer(
        ref, turn.person, [option])
    if answered is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    quiz = answered.quiz
    key = "campaign.quiz_right" if answered.correct else "campaign.quiz_wrong"
    text = turn.t(key, answer=esc(quiz.options[quiz.correct]))
    if quiz.explanation:
        text += "\n" + esc(quiz.explanation)
    if not answered.first:
        text += "\n" + turn.t("campaign.quiz_once")
    await turn.say(text)


def actions() -> list[Action]:
    return [Action(QUIZ, answer)]

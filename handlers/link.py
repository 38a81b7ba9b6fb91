"""/lienket (/link): one person on two messengers. On the account they already use, a person
gets a one-time code; typed with /lienket on the other messenger, it links that account to
them — never a name or a phone number, which anyone could type."""

from __future__ import annotations

from bot.dialog import END, Flow, Kind, Turn
from bot.services.accounts import CODE_MINUTES, LinkResult


async def start(turn: Turn) -> str:
    """With a code: links this account. Without: a code for the other messenger (a person
    who agreed to the terms), or asks for the code (one who has not: a new account)."""
    if turn.text:
        return await _link(turn, turn.text)
    if turn.person.has_consented:
        code = await turn.services.accounts.issue_code(turn.person)
        await turn.say(turn.t("link.code", code=code, minutes=CODE_MINUTES))
        return END
    await turn.ask(turn.t("link.ask_code"))
    return "code"


async def code(turn: Turn) -> str:
    """The code typed after /lienket."""
    if turn.kind is not Kind.TEXT or not turn.text:
        await turn.ask(turn.t("link.ask_code"))
        return "code"
    return await _link(turn, turn.text)


async def _link(turn: Turn, typed: str) -> str:
    linked = await turn.services.accounts.link(turn.person, turn.channel,
                                               _external_id(turn), typed)
    if linked.result is LinkResult.LINKED and linked.resident is not None:
        name = turn.esc(linked.resident.display_name or "")
        await turn.say(turn.t("link.linked", name=name))
    else:
        await turn.say(turn.t(f"link.{linked.result.value}"))
    return END


def _external_id(turn: Turn) -> str:
    """This account's id on its messenger: in a private chat, the chat is the person."""
    return turn.address


def build_flow() -> Flow:
    return Flow(name="link", commands=("lienket", "link"), start=start, steps={"code": code},
                timeout_minutes=15, label=None)

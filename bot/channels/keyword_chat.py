"""One message from a person on a channel without a command menu or inline buttons (the Zalo
Bot Platform, a Zalo Official Account), through the conversation core:

- "0", "hủy" … leave the open flow;
- a command typed as words ("báo tin", "tham gia HN01") starts its flow (one this channel
  does not run is said to be elsewhere);
- a person's first message, whatever it says, starts onboarding (a join code in it, "tham
  gia HN01", goes on to the join after consent);
- anything else goes to the open flow, else is answered with how to report and the
  emergency numbers (or the person's menu).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.dialog import Input, Kind, Prompt, Replier, Share
from bot.dialog.keywords import is_cancel, keyword_command
from bot.dialog.runner import Runner
from bot.models import Channel, Resident
from bot.sending import OutMessage
from bot.services.container import Services
from handlers import help as help_flow
from handlers import phone as phone_flow

# The keywords that take an argument, and its shape: "tin TB-000123" is /tin, "tin cũ" is not.
_TRACKING_CODE = re.compile(r"(?:TB-?)?\d{1,9}", re.IGNORECASE)
_JOIN_CODE = re.compile(r"[A-Za-z0-9]{3,16}")  # as the areas file takes them
_LINK_CODE = re.compile(r"[A-Za-z0-9-]{6,16}")  # 8 characters, maybe typed with a dash
_TEAM_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,39}")  # a team's code or its join code
WITH_ARGUMENT = {
    "start": re.compile(r"[A-Za-z0-9_-]{1,64}"), "thamgia": _JOIN_CODE, "join": _JOIN_CODE,
    "tin": _TRACKING_CODE, "lookup": _TRACKING_CODE, "tindabao": _TRACKING_CODE,
    "myreports": _TRACKING_CODE, "lienket": _LINK_CODE, "link": _LINK_CODE,
    "totruong": _TEAM_CODE, "setleader": _TEAM_CODE, "to": _TEAM_CODE, "myteam": _TEAM_CODE,
}
JOIN_COMMANDS = frozenset({"thamgia", "join"})


class NumberedReplier:
    """What a channel without buttons, edits or presses answers for them (the Zalo Bot
    Platform, a Zalo OA): choices are numbered lines, a refusal or a note comes as a message
    (the callers send it when these say False), nothing can be copied or edited."""

    numbered = True
    shares: frozenset[Share] = frozenset()  # no location or contact messages

    def copy_of(self, given: Input) -> OutMessage | None:
        del given
        return None  # a person's message cannot be sent again as it is

    async def replace(self, prompt: Prompt, *, seq: int | None) -> bool:
        del prompt, seq
        return False  # no edits: the caller sends a new message

    async def alert(self, text: str) -> bool:
        del text
        return False

    async def toast(self, text: str) -> bool:
        del text
        return False

    async def close_press(self) -> None:
        return None


@dataclass(frozen=True)
class Talk:
    """Who wrote, on which channel and chat, what, and how to answer them."""

    person: Resident
    lang: str
    channel: Channel
    chat_id: str
    input: Input
    name: str
    replier: Replier

    async def say(self, services: Services, key: str) -> None:
        await self.replier.send(Prompt(services.i18n.t(self.lang, key)), seq=None,
                                remove_keyboard=True)

    async def run(self, runner: Runner, command: tuple[str, str] | None) -> bool:
        return await runner.handle(
            self.person, lang=self.lang, channel=self.channel, address=self.chat_id,
            input=self.input, replier=self.replier, display_name=self.name, command=command)


async def converse(services: Services, runner: Runner, talk: Talk) -> None:
    """Answer one message (see the module)."""
    person = talk.person
    if talk.input.kind is Kind.TEXT and is_cancel(talk.input.text):
        flow = await runner.end(person.id)
        await talk.say(services, flow.cancelled if flow is not None
                       else "errors.nothing_to_cancel")
        return
    command = keyword_command(talk.input.text, runner.commands.keys() | help_flow.COMMANDS,
                              WITH_ARGUMENT) if talk.input.kind is Kind.TEXT else None
    if person.consent == "none" and await runner.open_flow(person.id) is None and (
            command is None or command[0] in JOIN_COMMANDS | {"start"}):
        # A first message, whatever it says, starts onboarding; a join code in it is
        # kept for after consent.
        code = command[1] if command is not None else ""
        payload = f"join_{code}" if command and command[0] in JOIN_COMMANDS and code else code
        await talk.run(runner, ("start", payload))
        return
    if command is not None and not runner.owns(command[0]):
        await runner.end(person.id)
        await talk.say(services, "flows.not_on_channel")
        return
    if not await talk.run(runner, command):
        await runner.once(help_flow.outside, person, lang=talk.lang, channel=talk.channel,
                          address=talk.chat_id, input=talk.input, replier=talk.replier,
                          display_name=talk.name)


async def shared_contact(runner: Runner, talk: Talk) -> None:
    """The person's own phone number, shared outside the conversation (a Zalo OA's
    information form): the phone question takes it when it is open; otherwise it is stored
    as that question would, leaving any other open flow as it was (with consent only)."""
    flow = await runner.open_flow(talk.person.id)
    if flow is not None and flow.name == phone_flow.NAME:
        await talk.run(runner, None)
        return
    await runner.once(phone_flow.contact_outside, talk.person, lang=talk.lang,
                      channel=talk.channel, address=talk.chat_id, input=talk.input,
                      replier=talk.replier, display_name=talk.name)

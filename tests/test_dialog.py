"""The flow runner on a real database with a scripted channel: one open flow per person, a
choice belongs to its prompt, offers outside flows never take a flow's answers, expiry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.config import Config
from bot.dialog import (
    END,
    Action,
    Choice,
    Flow,
    Input,
    Kind,
    Media,
    Prompt,
    Share,
    Turn,
)
from bot.dialog.runner import Runner
from bot.models import Resident
from bot.services.container import Services
from bot.store import Store


@dataclass
class Script:
    """A channel that writes down what the bot said; `numbered` like Zalo, or buttons."""

    numbered: bool = True
    said: list[str] = field(default_factory=list)
    shares: frozenset[Share] = frozenset()

    async def send(self, prompt: Prompt, *, seq: int | None, remove_keyboard: bool) -> None:
        del seq, remove_keyboard
        labels = " ".join(f"[{c.label}]" for c in prompt.flat)
        self.said.append(f"{prompt.text} {labels}".strip())

    async def replace(self, prompt: Prompt, *, seq: int | None) -> bool:
        del prompt, seq
        return False

    async def alert(self, text: str) -> bool:
        del text
        return False

    async def toast(self, text: str) -> bool:
        del text
        return False

    async def close_press(self) -> None:
        return None

    def fetcher(self, media: Media, max_bytes: int) -> object:
        raise AssertionError(f"no media here ({media}, {max_bytes})")


async def ask_colour(turn: Turn) -> str:
    await turn.ask("Colour?", ((Choice("Red", "red"), Choice("Blue", "blue")),))
    return "colour"


async def colour(turn: Turn) -> str:
    if turn.kind is not Kind.CHOICE:
        await turn.say("Choose one")
        return "colour"
    turn.data["colour"] = turn.input.choice
    await turn.ask("Size?", ((Choice("Small", "s"), Choice("Large", "l")),))
    return "size"


async def size(turn: Turn) -> str:
    if turn.kind is not Kind.CHOICE:
        await turn.say("Choose a size")
        return "size"
    await turn.say(f"Done: {turn.data['colour']} {turn.input.choice}")
    return END


async def answered(turn: Turn, parts: tuple[str, ...]) -> None:
    await turn.say(f"Alarm answer {':'.join(parts)}")


FLOW = Flow("order", ("order",), ask_colour, {"colour": colour, "size": size},
            timeout_minutes=10, timed_out="errors.cancelled")


@dataclass
class Editing(Script):
    """A channel that edits messages later (Telegram): a posted message has an id."""

    async def post(self, prompt: Prompt, *, replace: bool) -> str:
        await self.send(prompt, seq=None, remove_keyboard=False)
        return "77" if not replace else "pressed"


async def sound(turn: Turn) -> str:
    """A flow's last step posts a message that outlives it (the gong's live count)."""
    until = turn.services.clock.now() + timedelta(hours=1)
    shown = await turn.post("Sounded", ((Choice("Đã an toàn", "al:a:9:end"),),), until=until)
    await turn.say(f"shown {shown}")
    return END


GONG = Flow("gong", ("gong",), sound)


@pytest.fixture
def runner(config: Config, store: Store, clock: FakeClock) -> Runner:
    return Runner(Services.build(config, store, clock), [FLOW, GONG],
                  [Action("al:a", answered)])


async def person(store: Store, runner: Runner) -> Resident:
    return await runner.services.residents.ensure_account("zalo", "aa11", opened=True)


async def say(runner: Runner, who: Resident, channel: Script, text: str, *,
              command: tuple[str, str] | None = None) -> bool:
    return await runner.handle(who, lang="vi", channel="zalo", address="aa11",
                               input=Input(Kind.TEXT, text=text), replier=channel,
                               command=command)


async def test_a_number_answers_the_open_prompt_and_the_draft_survives(
    store: Store, runner: Runner,
) -> None:
    who, chat = await person(store, runner), Script()
    assert await say(runner, who, chat, "", command=("order", ""))
    assert await say(runner, who, chat, "2")
    assert await say(runner, who, chat, "large")  # the label's words, any case
    assert chat.said[-1] == "Done: blue l"
    assert await store.dialogs.get(who.id) is None
    assert not await say(runner, who, chat, "1")  # no flow open: not the runner's


async def test_numbers_choose_only_where_numbers_are_shown(
    store: Store, runner: Runner,
) -> None:
    who, chat = await person(store, runner), Script(numbered=False)
    await say(runner, who, chat, "", command=("order", ""))
    await say(runner, who, chat, "1")
    assert chat.said[-1] == "Choose one"
    await say(runner, who, chat, "Red")
    assert chat.said[-1].startswith("Size?")


async def test_an_offer_after_the_question_takes_the_number_and_the_flow_goes_on(
    store: Store, runner: Runner,
) -> None:
    who, chat = await person(store, runner), Script()
    await say(runner, who, chat, "", command=("order", ""))
    async with store.db.transaction() as tx:  # the gong arrives in the middle of the order
        await store.prompts.offer(tx, "zalo", "aa11", [("Đang đến", "al:a:7:coming"),
                                                      ("Không thể", "al:a:7:cannot")],
                                  "2099-01-01T00:00:00+00:00")
    await say(runner, who, chat, "1")
    assert chat.said[-1] == "Alarm answer 7:coming"
    await say(runner, who, chat, "không thể")  # its words still answer it
    assert chat.said[-1] == "Alarm answer 7:cannot"
    dialog = await store.dialogs.get(who.id)
    assert dialog is not None and dialog.step == "colour"  # the order was not lost
    await say(runner, who, chat, "blue")  # the flow's own words go to the flow
    assert chat.said[-1].startswith("Size?")
    await say(runner, who, chat, "1")  # the flow asked last: its question takes the number
    assert chat.said[-1] == "Done: blue s"


async def test_an_expired_flow_is_dropped_and_the_person_told(
    store: Store, runner: Runner, clock: FakeClock,
) -> None:
    who, chat = await person(store, runner), Script()
    await say(runner, who, chat, "", command=("order", ""))
    clock.advance(timedelta(minutes=11))
    assert await runner.expire(lambda *_: chat) == 1
    assert chat.said[-1] == "Đã hủy."
    assert not await say(runner, who, chat, "1")


async def test_a_command_ends_the_open_flow_and_starts_its_own(
    store: Store, runner: Runner,
) -> None:
    who, chat = await person(store, runner), Script()
    await say(runner, who, chat, "", command=("order", ""))
    await say(runner, who, chat, "1")
    await say(runner, who, chat, "", command=("order", ""))
    dialog = await store.dialogs.get(who.id)
    assert dialog is not None and dialog.step == "colour"
    assert '"colour"' not in dialog.data  # the old draft went with the old flow


async def test_a_posted_message_keeps_its_actions_after_the_flow(
    store: Store, runner: Runner, clock: FakeClock,
) -> None:
    """Where choices are typed, a posted message's choices stay open for a number or words
    until their time; where the channel edits, the message's id comes back instead."""
    who, chat = await person(store, runner), Script()
    await say(runner, who, chat, "", command=("gong", ""))
    assert chat.said[-2:] == ["Sounded [Đã an toàn]", "shown None"]
    await say(runner, who, chat, "1")
    assert chat.said[-1] == "Alarm answer 9:end"
    await say(runner, who, chat, "đã an toàn")
    assert chat.said[-1] == "Alarm answer 9:end"
    clock.advance(timedelta(hours=1))
    assert not await say(runner, who, chat, "1")  # no longer offered

    editing = Editing()
    await runner.handle(who, lang="vi", channel="telegram", address="5", input=Input(Kind.TEXT),
                        replier=editing, command=("gong", ""))
    assert editing.said[-1] == "shown 77"
    assert await store.prompts.open("telegram", "5") == []  # its buttons carry the action

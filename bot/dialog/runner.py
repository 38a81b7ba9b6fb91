"""The runner: plays flows for every channel, one open flow per person, state in SQLite.

- A command ends the person's open flow and starts its own (the adapter also ends what the
  channel itself still runs); `/huy` is the adapter's to answer, through `end`.
- Otherwise the input goes to the open flow's current step, if it comes from the chat the
  flow asks in. A press answers only the prompt it belongs to (its number `seq`: an older
  prompt's button is stale); a typed answer matches the open prompt's choices by their words,
  or by number where the channel numbers them.
  A choice whose value is a command (`command_value`) is the exception: pressed, the adapter
  passes it on as that command; chosen from the open prompt, the step returns it, and that
  flow starts with the command's argument as its input. An action (a choice outside any
  flow) may start a flow the same way.
- Each person's inputs are handled one at a time, in order; the draft is kept after each
  step (in memory, written behind within a fraction of a second: bot/store/dialogs.py), so a
  restart resumes where the person was; an expired flow is dropped (and the person
  told, where the flow says what) by `expire`, run on the scheduler's tick."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, timedelta
from typing import TYPE_CHECKING

from bot.dialog.choices import match
from bot.dialog.kit import (
    END,
    Action,
    Choice,
    Flow,
    Input,
    Kind,
    LeavingReplier,
    Prompt,
    Replier,
    Rows,
    Step,
    as_command,
)
from bot.dialog.turn import Turn
from bot.models import Channel, Dialog, Resident

if TYPE_CHECKING:
    from bot.services.container import Services

log = logging.getLogger(__name__)

SEEN_DAYS = 2  # a channel redelivers within minutes; two days is far beyond it
FIRST = "_first_prompt"  # in a dialog's stored data: the number before its first prompt
RepliersFor = Callable[[Channel, str], Replier | None]


class Runner:
    def __init__(
        self, services: Services, flows: Sequence[Flow], actions: Sequence[Action] = ()
    ) -> None:
        self.services = services
        self.flows = {flow.name: flow for flow in flows}
        self.commands = {command: flow for flow in flows for command in flow.commands}
        self.actions = {action.prefix: action for action in actions}
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    def owns(self, command: str) -> bool:
        return command in self.commands

    def action_for(self, value: str) -> tuple[Action, tuple[str, ...]] | None:
        """The action a choice's value names, with the value's parts after its prefix."""
        parts = value.split(":")
        for size in range(len(parts), 0, -1):
            action = self.actions.get(":".join(parts[:size]))
            if action is not None:
                return action, tuple(parts[size:])
        return None

    async def open_flow(self, person_id: int) -> Flow | None:
        dialog = await self.services.store.dialogs.get(person_id)
        return None if dialog is None else self.flows.get(dialog.flow)

    async def end(self, person_id: int) -> Flow | None:
        """End the person's open flow (a command came, or their data is deleted): the flow
        that was open, None if none was."""
        name = await self.services.store.dialogs.take(person_id)
        return None if name is None else self.flows.get(name)

    async def end_account(self, channel: Channel, external_id: str) -> Flow | None:
        """`end` for the person behind an account (the adapter need not look them up)."""
        name = await self.services.store.dialogs.take_of_account(channel, external_id)
        return None if name is None else self.flows.get(name)

    async def handle(
        self, person: Resident, *, lang: str, channel: Channel, address: str, input: Input,
        replier: Replier, display_name: str = "", command: tuple[str, str] | None = None,
        seq: int | None = None, names: Sequence[str] = (),
    ) -> bool:
        """Run `input` through the flows; False when it is not theirs (no open flow, a
        command of another handler), so the adapter answers it some other way. `names`: what
        else the messenger calls the person (see `Turn.names`)."""
        async with self._turn_lock(person.id):
            turn = self._turn(person, lang, channel, address, input, replier, display_name)
            turn.names = tuple(names)
            if command is not None:
                flow = self.commands.get(command[0])
                if flow is None:
                    return False
                await self.services.store.dialogs.end(person.id)
                await self._start(flow, turn, command[1])
                return True
            if input.pressed and input.choice is not None and (
                    found := self.action_for(input.choice)) is not None:
                await self._act(turn, *found)
                return True
            if await self._offered(turn):
                return True
            return await self._continue(turn, seq)

    async def _offered(self, turn: Turn) -> bool:
        """A typed answer to choices offered outside any flow (numbered channels): the newest
        offer since the open flow's last question takes a number or its words; with no flow
        open, any offer still open takes its words."""
        given = turn.input
        if given.kind is not Kind.TEXT or not turn.numbered:
            return False
        store = self.services.store
        dialog = await store.dialogs.get(turn.person.id)
        if dialog is not None and dialog.shadowed_by is None:
            return False  # the flow asked last: its question takes the answer
        since = dialog.shadowed_by if dialog is not None and dialog.shadowed_by else 0
        for offer in await store.prompts.open(turn.channel, turn.address, since):
            choices = [Choice(label, action) for label, action in offer.choices]
            found = match(given.text, choices, numbered=True)
            if found is not None and (acting := self.action_for(found.value)) is not None:
                turn.input = replace(given, kind=Kind.CHOICE, choice=found.value,
                                     text=found.label)
                await self._act(turn, *acting)
                return True
        return False

    async def _act(self, turn: Turn, action: Action, parts: tuple[str, ...]) -> None:
        """Run an action; the flow it names ("/flow argument"), if any, starts then, ending
        the person's open flow."""
        chosen = self._named(await action.handle(turn, parts))
        if chosen is not None:
            left = await self.end(turn.person.id)
            if isinstance(turn.replier, LeavingReplier):
                await turn.replier.leave_others(left)
            await self._start(chosen[0], turn, chosen[1])

    def _named(self, value: str | None) -> tuple[Flow, str] | None:
        """The flow "/command argument" or "/flow argument" names, with the argument."""
        command = as_command(value)
        chosen = None if command is None else (
            self.commands.get(command[0]) or self.flows.get(command[0]))
        return None if command is None or chosen is None else (chosen, command[1])

    async def once(
        self, step: Step, person: Resident, *, lang: str, channel: Channel, address: str,
        input: Input, replier: Replier, display_name: str = "", names: Sequence[str] = (),
    ) -> None:
        """Run one step outside any flow (the answer to a message no flow waits for)."""
        async with self._turn_lock(person.id):
            turn = self._turn(person, lang, channel, address, input, replier, display_name)
            turn.names = tuple(names)
            await step(turn)

    def _turn(
        self, person: Resident, lang: str, channel: Channel, address: str, input: Input,
        replier: Replier, display_name: str,
    ) -> Turn:
        turn = Turn(self.services, person, lang, channel, address, input, replier, display_name)
        turn.commands = frozenset(self.commands)
        return turn

    async def _start(self, flow: Flow, turn: Turn, argument: str | None = None) -> None:
        """Start `flow`; `argument` (a command's) becomes its input's text."""
        if argument is not None:
            turn.input = replace(turn.input, text=argument)
        # Prompt numbers start from the clock, so a button of an earlier flow never carries a
        # number this flow's prompts will have.
        turn.seq = turn.first_seq = int(self.services.clock.now().timestamp() * 1000) % 10**12
        turn.data, turn.choices, turn.asked = {}, (), False
        await self._save(flow, turn, "", await flow.start(turn))

    async def _continue(self, turn: Turn, seq: int | None) -> bool:
        dialog = await self.services.store.dialogs.get(turn.person.id)
        flow = None if dialog is None else self.flows.get(dialog.flow)
        if dialog is None or flow is None:
            if turn.input.pressed:  # a button of a flow that has ended
                await turn.refuse(turn.t("errors.stale_button"))
                return True
            return False
        if (dialog.channel, dialog.address) != (turn.channel, turn.address):
            return False  # the flow asks in another chat (a group): this is no answer to it
        if dialog.expires_at <= self.services.store.db.now_iso():
            await self.services.store.dialogs.end(turn.person.id, flow.name)
            await self._tell_timed_out(flow, turn.replier)
            return False
        turn.data = json.loads(dialog.data)
        turn.first_seq = int(turn.data.pop(FIRST, 0))
        turn.seq = dialog.prompt_seq
        turn.choices = _rows(dialog.choices)
        turn.shadowed_by = dialog.shadowed_by
        chosen = self._chosen(turn, seq)
        if chosen is None:  # a press of an older prompt's button
            await turn.refuse(turn.t("errors.stale_button"))
            return True
        turn.input = chosen
        step = flow.steps.get(dialog.step)
        if step is None:
            log.warning("flow %s has no step %r: ended", flow.name, dialog.step)
            await self.services.store.dialogs.end(turn.person.id)
            return False
        await self._save(flow, turn, dialog.step, await step(turn))
        return True

    def _chosen(self, turn: Turn, seq: int | None) -> Input | None:
        """The input with a choice resolved against the open prompt; None for a stale press."""
        given, flat = turn.input, [c for row in turn.choices for c in row]
        if given.pressed:
            found = next((c for c in flat if c.value == given.choice), None)
            if seq is None or not turn.first_seq < seq <= turn.seq or found is None:
                return None  # another flow's button, or a choice no longer offered
            return replace(given, kind=Kind.CHOICE, text=found.label)
        if given.kind is Kind.TEXT and flat:
            found = match(given.text, flat, numbered=turn.numbered)
            if found is not None:
                return replace(given, kind=Kind.CHOICE, choice=found.value, text=found.label)
        return given

    async def _save(self, flow: Flow, turn: Turn, was: str, step: str) -> None:
        store = self.services.store
        # "/command arg" or "/flow": the step chose another flow (by its command, or by its
        # name for a flow without one, entered only from another flow's step).
        if (chosen := self._named(step)) is not None:
            await store.dialogs.end(turn.person.id, flow.name)
            await self._start(chosen[0], turn, chosen[1])
            return
        if step == END:
            if was:  # a flow that ends where it starts never had a row
                await store.dialogs.end(turn.person.id, flow.name)
            return
        if step not in flow.steps:
            raise KeyError(f"flow {flow.name} has no step {step!r}")
        choices = turn.choices if turn.asked or step == was else ()
        shadowed = None if turn.asked or step != was else turn.shadowed_by
        expires = (self.services.clock.now() + timedelta(minutes=flow.timeout_minutes))
        await store.dialogs.put(Dialog(
            resident_id=turn.person.id, flow=flow.name, step=step,
            data=json.dumps({**turn.data, FIRST: turn.first_seq}, ensure_ascii=False),
            channel=turn.channel,
            address=turn.address, prompt_seq=turn.seq,
            choices=json.dumps([[c.label, c.value] for row in choices for c in row],
                               ensure_ascii=False),
            expires_at=expires.astimezone(UTC).isoformat(timespec="seconds"),
            shadowed_by=shadowed))

    async def expire(self, repliers: RepliersFor) -> int:
        """Drop the flows past their expiry, telling each person where the flow says what;
        forget offers past theirs and inbound message ids older than SEEN_DAYS."""
        store = self.services.store
        await store.prompts.forget_expired()
        seen_before = self.services.clock.now() - timedelta(days=SEEN_DAYS)
        async with store.db.transaction() as tx:
            await store.accounts.forget_seen_before(
                tx, seen_before.astimezone(UTC).isoformat(timespec="seconds"))
        expired = await store.dialogs.take_expired(store.db.now_iso())
        for dialog in expired:
            flow = self.flows.get(dialog.flow)
            replier = repliers(dialog.channel, dialog.address)
            if flow is not None and replier is not None:
                await self._tell_timed_out(flow, replier, dialog.resident_id)
        return len(expired)

    async def _tell_timed_out(
        self, flow: Flow, replier: Replier, person_id: int | None = None
    ) -> None:
        if flow.timed_out is None:
            return
        lang: str = self.services.config.locale.default_language
        if person_id is not None:
            person = await self.services.store.residents.get(person_id)
            lang = self.services.i18n.language(person.language if person else None)
        try:
            await replier.send(Prompt(self.services.i18n.t(lang, flow.timed_out)), seq=None,
                               remove_keyboard=True)
        except Exception:  # the person may have blocked the bot meanwhile
            log.info("could not say that flow %s timed out", flow.name, exc_info=True)

    def _turn_lock(self, person_id: int) -> _PersonLock:
        return _PersonLock(self, person_id)


class _PersonLock:
    """One person's inputs one at a time; the lock is forgotten when nobody holds or waits."""

    def __init__(self, runner: Runner, person_id: int) -> None:
        self.runner, self.person_id = runner, person_id

    async def __aenter__(self) -> None:
        runner = self.runner
        runner._waiting[self.person_id] = runner._waiting.get(self.person_id, 0) + 1
        await runner._locks.setdefault(self.person_id, asyncio.Lock()).acquire()

    async def __aexit__(self, *_: object) -> None:
        runner, pid = self.runner, self.person_id
        runner._locks[pid].release()
        runner._waiting[pid] -= 1
        if runner._waiting[pid] == 0:
            del runner._waiting[pid], runner._locks[pid]


def _rows(raw: str) -> Rows:
    return tuple((Choice(str(label), str(value)),) for label, value in json.loads(raw))



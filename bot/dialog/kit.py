"""What flows and channels exchange: neutral input, prompts with choices, a flow's shape."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from bot.sending import OutMessage

if TYPE_CHECKING:
    from bot.dialog.turn import Turn

END = ""  # what a step returns to end its flow


class Kind(enum.StrEnum):
    """What the person sent."""

    TEXT = "text"
    CHOICE = "choice"  # a button pressed, or a choice's number or words typed
    PHOTO = "photo"
    VOICE = "voice"
    LOCATION = "location"
    CONTACT = "contact"
    OTHER = "other"  # a sticker, a file, anything the channel cannot pass on


@dataclass(frozen=True)
class Media:
    """A photo or a voice note as the channel gave it: `ref` is what that channel fetches it
    by (a Telegram file id, a Zalo download URL); `unique` identifies the same file twice;
    `album` groups photos sent together (Telegram's media group)."""

    ref: str
    unique: str
    size: int | None = None
    album: str | None = None
    cache_id: str | None = None  # an id the channel sends again without uploading (Telegram)
    content_type: str = ""


@dataclass(frozen=True)
class Contact:
    phone: str
    own: bool  # the sender's own number (Telegram's contact button), not someone else's


@dataclass(frozen=True)
class Input:
    """One message or press from a person, whatever the messenger."""

    kind: Kind
    text: str = ""  # typed text, a photo's caption, a pressed choice's label (cleaned)
    choice: str | None = None  # the value of the chosen choice
    media: Media | None = None
    location: tuple[float, float] | None = None
    contact: Contact | None = None
    pressed: bool = False  # came from a button (Telegram), not typed
    # The text (or caption) with the person's formatting in the bot's markup, where the
    # channel has formatting (Telegram); None: plain text, to be escaped.
    markup: str | None = None
    forwarded: bool = False  # passed on from someone else's message (Telegram's forwards)
    # The message's id on its channel, where a reply can quote it; for a press, the id of the
    # message whose button was pressed.
    message_id: str | None = None


@dataclass(frozen=True)
class Choice:
    label: str
    value: str


Rows = tuple[tuple[Choice, ...], ...]


def command_value(name: str, argument: str = "") -> str:
    """A choice value that is a command ("/tindabao TB-000012"). Pressed, it is that command,
    even after its prompt is gone (a channel that keeps old buttons, like Telegram, passes it
    on as a command); chosen from the open prompt, the step returns it to start that flow."""
    return f"/{name} {argument}".rstrip()


def as_command(value: str | None) -> tuple[str, str] | None:
    """(command, argument) of a choice value made by `command_value`; None for any other."""
    if not value or not value.startswith("/"):
        return None
    name, _, argument = value[1:].partition(" ")
    return (name, argument) if name else None


def rows_of(choices: Sequence[Choice], width: int = 1) -> Rows:
    """Choices laid out `width` to a row (a layout hint: text channels list them one a line)."""
    items = list(choices)
    return tuple(tuple(items[i:i + width]) for i in range(0, len(items), width))


class Share(enum.StrEnum):
    """Something a channel may offer to share in one tap (Telegram's keyboard buttons)."""

    LOCATION = "location"
    CONTACT = "contact"


@dataclass(frozen=True)
class Prompt:
    """A message to the person: text (the bot's markup), choices, and — where the channel
    has it — a one-tap share button with its label (`share_label`) and the line shown with
    it (`share_hint`), plus `cancel_label` under it. `by_reply`: the answer is typed as a
    reply to this message (where a channel shows the bot a group's messages only so:
    Telegram's groups)."""

    text: str
    choices: Rows = ()
    share: Share | None = None
    share_label: str = ""
    share_hint: str = ""
    cancel_label: str = ""
    by_reply: bool = False

    @property
    def flat(self) -> tuple[Choice, ...]:
        return tuple(choice for row in self.choices for choice in row)


class Replier(Protocol):
    """How a channel answers the person who is talking (the adapter implements it)."""

    @property
    def numbered(self) -> bool:
        """Whether choices are shown as numbered lines (so a typed number chooses)."""

    @property
    def shares(self) -> frozenset[Share]:
        """What the person can share in one tap here (a location, their contact)."""

    async def send(self, prompt: Prompt, *, seq: int | None, remove_keyboard: bool) -> None:
        """A new message; `seq` marks its choices as the open prompt's (None: not a flow's)."""

    async def replace(self, prompt: Prompt, *, seq: int | None) -> bool:
        """Show `prompt` in place of the pressed message; False where the channel cannot."""

    async def alert(self, text: str) -> bool:
        """A refusal shown over the pressed button; False where there was no press."""

    async def toast(self, text: str) -> bool:
        """A short note shown briefly over the pressed button; False where there was none."""

    async def close_press(self) -> None:
        """Take the buttons off the pressed message (so it cannot be pressed twice)."""

    def fetcher(self, media: Media, max_bytes: int) -> Callable[[], Awaitable[bytes]]:
        """The download of a file the person sent (raising MediaUnavailable on failure)."""


@runtime_checkable
class ChoicesReplier(Protocol):
    """A channel that changes the choices of a pressed message in place (Telegram's inline
    buttons). Elsewhere `Turn.offer` sends the choices in a new message."""

    async def replace_choices(self, choices: Rows) -> bool:
        """The pressed message keeps its text and shows these choices; False where there
        was no press."""


@runtime_checkable
class LeavingReplier(Protocol):
    """A channel that runs flows of its own beside the runner's (Telegram's PTB flows)."""

    async def leave_others(self, ended: Flow | None) -> None:
        """A press starts a flow: end the person's flows the channel runs itself, and say
        which half-done ones were left (`ended`: the runner's flow just ended, if any)."""


@runtime_checkable
class MessageReplier(Protocol):
    """A channel that shows an `OutMessage` in this chat exactly as its people get it from
    the outbox (a preview), and can send a person's own message again as it is (Telegram
    copies or forwards it). Elsewhere `Turn.show` says its text."""

    async def show(self, message: OutMessage) -> None:
        """`message` as the channel's sender sends it to anyone."""

    def copy_of(self, given: Input) -> OutMessage | None:
        """A message that sends `given` again as it is (its original sender named where it
        was forwarded); None where it cannot be."""


@runtime_checkable
class FileReplier(Protocol):
    """A channel that sends files (Telegram's documents). Elsewhere `Turn.send_file` says
    False and the flow sends the content as text."""

    async def send_file(self, name: str, body: bytes, caption: str) -> None:
        """A file called `name` with a caption (the bot's markup)."""


@runtime_checkable
class EditingReplier(Protocol):
    """A channel that changes a message it sent after the turn is over (Telegram edits it):
    a message that keeps changing — the gong's live count — is sent once and kept up to date
    in place. Elsewhere `Turn.post` says None and each change comes as a new message."""

    async def post(self, prompt: Prompt, *, replace: bool) -> str:
        """`prompt` as a new message, or in place of the pressed message (`replace`); its
        choices are actions (they outlive the flow). The message's id, to change it by."""


@runtime_checkable
class StartLinks(Protocol):
    """A channel with links that open the chat with the bot and start it with a payload
    (Telegram's `t.me/<bot>?start=join_HN01`). Elsewhere `Turn.start_link` says None."""

    def start_link(self, payload: str) -> str:
        """The link that starts the bot with `payload`."""


Step = Callable[["Turn"], Awaitable[str]]


@dataclass(frozen=True)
class Flow:
    """A conversation: the commands that start it (`start`), its named steps, its expiry.

    `label` names it in the note a person gets when another command ends it half done (None:
    it ends silently); `cancelled` is what /huy says; `timed_out` what its expiry says (None:
    nothing). `private`: it runs in private chats only."""

    name: str
    commands: tuple[str, ...]
    start: Step
    steps: Mapping[str, Step] = field(default_factory=dict)
    timeout_minutes: float = 30
    label: str | None = None
    cancelled: str = "errors.cancelled"
    timed_out: str | None = None
    private: bool = True


ActionStep = Callable[["Turn", tuple[str, ...]], Awaitable[str | None]]


@dataclass(frozen=True)
class Action:
    """A choice that belongs to no flow (the gong's "Đang đến", a leader's "Duyệt"): its value
    is `prefix:part:part…`; `handle` gets the parts after the prefix. It may come from a
    button (Telegram) or a number or label typed in answer to a message that offered it.
    `handle` may return "/flow argument" (a flow's command, or the name of a flow without
    one) to start that flow, with the argument as its input's text."""

    prefix: str
    handle: ActionStep

"""The flow kit handlers are written with, and the runner that plays them on every channel.

A flow (handlers/…) is a `Flow`: commands that start it and named steps. A step takes the
person's neutral `Input` through a `Turn`, answers with `turn.say`/`turn.ask` (a `Prompt`:
text, choices, what kind of input is expected) and returns the next step's name, or `END`.
The channel adapters (bot/channels/…) turn their messages into `Input`s and render prompts
their own way (buttons on Telegram, numbered lines on Zalo)."""

from bot.dialog.kit import (
    END,
    Action,
    ActionStep,
    Choice,
    Contact,
    EditingReplier,
    Flow,
    Input,
    Kind,
    Media,
    Prompt,
    Replier,
    Rows,
    Share,
    Step,
    as_command,
    command_value,
    rows_of,
)
from bot.dialog.turn import Turn

__all__ = [
    "END", "Action", "ActionStep", "Choice", "Contact", "EditingReplier", "Flow", "Input",
    "Kind", "Media", "Prompt", "Replier", "Rows", "Share", "Step", "Turn", "as_command",
    "command_value", "rows_of",
]

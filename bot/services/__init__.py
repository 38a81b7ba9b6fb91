"""Domain rules. Services take and return plain data; they never import telegram."""

import secrets


def draft_token() -> str:
    """A fresh id for a conversation's draft: the action the draft ends in ("Gửi",
    "Phát kẻng") is taken once per token, however often or however fast it is pressed."""
    return secrets.token_hex(16)

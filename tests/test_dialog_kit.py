"""bot/dialog/kit.py: the values a flow's choices carry."""

from __future__ import annotations

from bot.dialog import as_command, command_value


def test_a_command_choice_reads_back_as_that_command() -> None:
    assert as_command(command_value("tindabao", "TB-000012")) == ("tindabao", "TB-000012")
    assert as_command(command_value("baotin")) == ("baotin", "")
    assert [as_command(value) for value in ("yes", "12", "/", "", None)] == [None] * 5

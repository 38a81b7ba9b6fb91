"""The import rules of DESIGN.md's layers, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A messenger's library, its adapter, or what is built on them (PTB's context, Telegram's
# reply helpers, the emulators): none of it may be imported by the neutral layers.
MESSENGERS = ("telegram", "aiohttp", "bot.channels", "bot.replies", "bot.context",
              "bot.sandbox", "bot.telegram_sender", "bot.updates", "bot.transport")


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def messenger_imports(path: Path) -> list[str]:
    return sorted(name for name in imports(path)
                  if any(name == m or name.startswith(m + ".") for m in MESSENGERS))


def test_the_flows_import_no_messenger() -> None:
    """handlers/ holds the conversations written once for every messenger."""
    modules = sorted((ROOT / "handlers").glob("*.py"))
    assert len(modules) > 20  # the rule looks where the flows are
    offenders = {path.name: found for path in modules if (found := messenger_imports(path))}
    assert offenders == {}


def test_the_neutral_layers_import_no_messenger() -> None:
    """bot/dialog, bot/services and bot/store never name a messenger's library."""
    for folder in ("bot/dialog", "bot/services", "bot/store", "bot/models"):
        for path in (ROOT / folder).rglob("*.py"):
            assert messenger_imports(path) == [], path


def test_the_rule_sees_a_telegram_import(tmp_path: Path) -> None:
    flow = tmp_path / "flow.py"
    flow.write_text("from telegram import Update\nimport bot.dialog\n", encoding="utf-8")
    assert messenger_imports(flow) == ["telegram"]

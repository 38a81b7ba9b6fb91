"""The import rules of DESIGN.md's layers, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MESSENGERS = ("telegram", "aiohttp", "bot.channels", "bot.replies", "bot.context",
              "bot.sandbox", "handlers.common", "handlers.flows")

# Flows still written against python-telegram-bot, waiting to move to bot/dialog. This list
# only shrinks: a module leaves it when it is rewritten, and no module may join it.
STILL_ON_TELEGRAM = frozenset({
    "__init__", "common", "errors", "flows", "groups", "relays",
})


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


def test_flows_written_for_every_messenger_import_no_messenger() -> None:
    modules = {p.stem: p for p in (ROOT / "handlers").glob("*.py")}
    offenders = {name: messenger_imports(path) for name, path in modules.items()
                 if name not in STILL_ON_TELEGRAM and messenger_imports(path)}
    assert offenders == {}
    assert set(modules) >= STILL_ON_TELEGRAM, "a module that moved left the list: drop it"


def test_the_neutral_layers_import_no_messenger() -> None:
    """bot/dialog, bot/services and bot/store never name a messenger's library."""
    for folder in ("bot/dialog", "bot/services", "bot/store"):
        for path in (ROOT / folder).rglob("*.py"):
            assert messenger_imports(path) == [], path


def test_the_rule_sees_a_telegram_import(tmp_path: Path) -> None:
    flow = tmp_path / "flow.py"
    flow.write_text("from telegram import Update\nimport bot.dialog\n", encoding="utf-8")
    assert messenger_imports(flow) == ["telegram"]

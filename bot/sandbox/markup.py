"""Telegram's HTML subset, entity offsets (UTF-16) and reply markup validation.

The HTML scanner follows the rules of Telegram's own parser (tdlib's `parse_html`): a raw `<`
that does not open a supported tag is an error, unknown `&entities;` stay as text, and every
error names a byte offset the way Telegram's messages do.
"""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.world import ApiError, bad_request

JSON = dict[str, Any]

_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);")
_ATTR = re.compile(r"\s*([a-zA-Z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+)))?")
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def utf16_len(text: str) -> int:
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def parse_html(text: str) -> tuple[str, list[JSON]]:
    """Return the visible text and its entities, or raise Telegram's 400 error."""
    out: list[str] = []
    pos16 = 0  # UTF-16 length of `out`
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[JSON] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "&":
            match = _ENTITY.match(text, i)
            decoded = _decode_entity(match.group(1)) if match else None
            if match and decoded is not None:
                out.append(decoded)
                pos16 += utf16_len(decoded)
                i = match.end()
                continue
        elif char == "<":
            i = _tag(text, i, pos16, stack, entities)
            continue
        out.append(char)
        pos16 += 2 if ord(char) > 0xFFFF else 1
        i += 1
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _decode_entity(name: str) -> str | None:
    if name.startswith("#"):
        code = int(name[2:], 16) if name[1:2] in ("x", "X") else int(name[1:])
        return chr(code) if 0 < code <= 0x10FFFF else None
    return _NAMED.get(name)


def _tag(
    text: str, start: int, pos16: int, stack: list[tuple[str, int, dict[str, str]]],
    entities: list[JSON],
) -> int:
    """Handle the tag starting at `start`; return the index just past it."""
    end = text.find(">", start)
    offset = _byte_offset(text, start)
    if text.startswith("</", start):
        if end < 0:
            raise _parse_error(f"Unclosed end tag at byte offset {offset}")
        name = text[start + 2 : end].strip().lower()
        if not stack:
            raise _parse_error(f"Unexpected end tag at byte offset {offset}")
        open_name, open_at, open_attrs = stack.pop()
        if name and name != open_name:
            raise _parse_error(
                f'Unmatched end tag at byte offset {offset}, expected "</{open_name}>", '
                f'found "</{name}>"'
            )
        if pos16 > open_at:
            entities.append(_entity(open_name, open_at, pos16 - open_at, open_attrs, entities))
        return end + 1
    match = re.match(r"[^\s>/]*", text[start + 1 :])
    name = (match.group(0) if match else "").lower()
    if not name:
        raise _parse_error(f"Empty tag name at byte offset {offset}")
    if name not in _TAGS:
        raise _parse_error(f'Unsupported start tag "{name}" at byte offset {offset}')
    if end < 0:
        raise _parse_error(f"Unclosed start tag at byte offset {offset}")
    attrs: dict[str, str] = {}
    body = text[start + 1 + len(name) : end].rstrip("/")
    for attr in _ATTR.finditer(body):
        if attr.group(1):
            value = attr.group(2) or attr.group(3) or attr.group(4) or ""
            attrs[attr.group(1).lower()] = _unescape(value)
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise _parse_error(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if name == "tg-emoji" and not attrs.get("emoji-id"):
        raise _parse_error(
            f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}'
        )
    stack.append((name, pos16, attrs))
    return end + 1


def _unescape(value: str) -> str:
    return _ENTITY.sub(lambda m: _decode_entity(m.group(1)) or m.group(0), value)


def _entity(name: str, offset: int, length: int, attrs: dict[str, str], done: list[JSON]) -> JSON:
    kind = _TAGS[name]
    entity: JSON = {"type": kind, "offset": offset, "length": length}
    if kind == "text_link":
        url = attrs.get("href", "")
        if not url:
            raise _parse_error("Empty URL in a text link")
        entity["url"] = url
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = attrs["emoji-id"]
    elif kind == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "code" and attrs.get("class", "").startswith("language-"):
        entity["language"] = attrs["class"][len("language-") :]
    elif kind == "pre":
        # <pre><code class="language-x">…</code></pre> is one pre entity with a language
        for inner in done:
            same = inner["offset"] == offset and inner["length"] == length
            if same and inner["type"] == "code" and "language" in inner:
                entity["language"] = inner["language"]
                done.remove(inner)
                break
    return entity


def render_text(text: str, parse_mode: str | None) -> tuple[str, list[JSON]]:
    """Apply `parse_mode`; Markdown modes are stored as sent (not parsed)."""
    if parse_mode is None or parse_mode == "":
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return parse_html(text)
    if mode in ("markdown", "markdownv2"):
        return text, []
    raise bad_request(f"unsupported parse_mode {parse_mode}")


def command_entities(text: str) -> list[JSON]:
    """The bot_command entity Telegram adds to a message that starts with `/command`."""
    match = _COMMAND.match(text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]


_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def check_markup(markup: Any) -> JSON | None:
    """Validate reply_markup like Telegram does; return it with reply buttons as dicts."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        for row in markup["inline_keyboard"]:
            for button in row:
                _check_inline_button(button)
        return markup
    if "keyboard" in markup:
        rows = [
            [{"text": b} if isinstance(b, str) else b for b in row] for row in markup["keyboard"]
        ]
        if not any(rows):
            raise bad_request("keyboard must be non-empty")
        return {**markup, "keyboard": rows}
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise bad_request("can't find field \"inline_keyboard\"")


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not button.get("text"):
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    if not any(key in button for key in _INLINE_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
        raise bad_request("BUTTON_DATA_INVALID")

"""How a text-only channel shows the bot's messages: the product's markup (Telegram's HTML
subset) as plain text, choices as numbered lines, long texts split to fit, and a typed answer
read back as a choice.

Lengths are counted in characters (code points), as the Zalo sandbox counts them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from html.parser import HTMLParser

from bot.text import fold

TEXT_LIMIT = 2000

# --- the markup as plain text ------------------------------------------------------------------


_BLOCKS = frozenset({"pre", "blockquote"})


class _PlainText(HTMLParser):
    """Keeps the text, drops the tags, writes a link as `text (url)` and keeps a block (pre,
    blockquote) on lines of its own, as Telegram shows it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # &lt; &amp; &#8220; … become characters
        self.out: list[str] = []
        self.links: list[tuple[str, int]] = []  # (href, where its text starts in out)
        self.after_block = False

    def _new_line(self) -> None:
        if self.out and not self.out[-1].endswith("\n"):
            self.out.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._new_line()
        if tag == "a":
            self.links.append(((dict(attrs).get("href") or "").strip(), len(self.out)))
        elif tag == "br":
            self.out.append("\n")

    def handle_startendtag(self, tag: str, _attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.after_block = True
        if tag != "a" or not self.links:
            return
        href, start = self.links.pop()
        text = "".join(self.out[start:]).strip()
        if not href or href.startswith("tg:"):  # a Telegram mention means nothing here
            return
        if not text:
            self.out.append(href)
        elif _bare(text) != _bare(href):
            self.out.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self.after_block and data.strip():
            self.after_block = False
            if not data.startswith("\n"):
                self._new_line()
                data = data.lstrip(" \t")
        self.out.append(data)


def _bare(url: str) -> str:
    return re.sub(r"^[a-z]+://", "", url.strip(), flags=re.IGNORECASE).rstrip("/").casefold()


def plain(html: str) -> str:
    """`html` in Telegram's subset as readable plain text: tags dropped, entities decoded,
    a link shown as `text (url)` unless its text is the address already."""
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    return "".join(parser.out).strip()


# --- choices -----------------------------------------------------------------------------------


def numbered(text: str, labels: Sequence[str]) -> str:
    """`text`, a blank line, then each choice on its own line: `1. Label`, `2. Label` …"""
    choices = "\n".join(f"{number}. {label}" for number, label in enumerate(labels, 1))
    return "\n\n".join(part for part in (text.rstrip(), choices) if part)


def _words(text: str) -> str:
    """Lower case, no accents, no emoji, no punctuation: "🚨 Trộm cắp!" → "trom cap"."""
    return " ".join("".join(c if c.isalnum() else " " for c in fold(text)).split())


_NUMBER = re.compile(r"^([0-9]+)[.)]?(?:\s+(.*))?$", re.DOTALL)


def match_choice(typed: str, labels: Sequence[str]) -> int | None:
    """The index into `labels` that `typed` picks, or None.

    A number picks by position ("2" → index 1; a copied line "2. Bỏ qua" works too); words
    pick the label they name, ignoring case, accents, emoji and punctuation. An exact match
    wins; else the label that holds the typed words, if exactly one does. Ambiguous → None."""
    stripped = typed.strip()
    number = _NUMBER.match(stripped)
    if number is not None:
        index = int(number[1]) - 1
        in_range = 0 <= index < len(labels)
        if not number[2]:
            return index if in_range else None
        if in_range and _words(number[2]) == _words(labels[index]):
            return index
    wanted = _words(stripped)
    if not wanted:
        return None
    folded = [_words(label) for label in labels]
    exact = [index for index, label in enumerate(folded) if label == wanted]
    if exact:
        return exact[0] if len(exact) == 1 else None
    if len(wanted) < 2:
        return None
    loose = [index for index, label in enumerate(folded) if f" {wanted} " in f" {label} "]
    return loose[0] if len(loose) == 1 else None


# --- splitting ---------------------------------------------------------------------------------

_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_SENTENCE = re.compile(r"[.!?…][\"”’')\]]*(?=\s)")


def split(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """`text` as consecutive messages of 1..`limit` characters each, cut at a paragraph break,
    else a line break, else after a sentence, else between words (a break is taken when it
    leaves the part at least half full, so a short first paragraph does not cost a message of
    its own). Only a word
    longer than a whole message is cut inside. Whitespace at a cut is dropped; a text with
    nothing visible gives no parts."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if len(rest) <= limit:
            parts.append(rest)
            break
        cut = _cut(rest, limit)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return parts


def _cut(text: str, limit: int) -> int:
    """Where the part starting `text` (which does not fit) ends: its length."""
    window = text[: limit + 1]
    half = limit // 2
    paragraphs = [match.start() for match in _PARAGRAPH.finditer(window)]
    if paragraphs and paragraphs[-1] >= half:
        return paragraphs[-1]
    line = window.rfind("\n")
    if line >= half:
        return line
    sentences = [match.end() for match in _SENTENCE.finditer(window, half)]
    if sentences:
        return sentences[-1]
    for space in range(len(window) - 1, 0, -1):
        if window[space].isspace():
            return space
    cut = limit  # one word longer than a message: cut it, but not before a combining mark
    while cut > 1 and _clings(text[cut]):
        cut -= 1
    return cut


def _clings(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me", "Mc") or char in "\u200d\ufe0e\ufe0f"

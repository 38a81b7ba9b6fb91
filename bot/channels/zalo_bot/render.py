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

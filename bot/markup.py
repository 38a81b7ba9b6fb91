"""The product's markup, Telegram's HTML subset: what a text shows, and whether Telegram takes it.

`visible_text(html)` parses with Python's HTML parser and refuses what Telegram's parser refuses
(an unsupported or unbalanced tag, a `<` that opens no tag, a span that is not a spoiler, a link
without an address) and entities Telegram does not know (it would show `&nbsp;` as is).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

TEXT_LIMIT = 4096  # characters of a message once its HTML is parsed
CAPTION_LIMIT = 1024
TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
                  "tg-spoiler", "a", "code", "pre", "blockquote"})
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


class MarkupError(ValueError):
    """Telegram would refuse this HTML; the message says where and why."""


def visible_text(html: str) -> str:
    """The text Telegram shows for `html`; MarkupError if Telegram would refuse it."""
    for match in _ENTITY.finditer(html):
        if _decode(match[1]) is None:
            raise MarkupError(f"{match[0]} is not an entity Telegram knows (it takes &lt; &gt; "
                              "&amp; &quot; and numeric ones such as &#8220;)")
    if "</>" in html.replace(" ", ""):
        raise MarkupError("</> closes nothing: name the tag it closes, such as </b>")
    parser = _Parser()
    parser.feed(html)
    parser.close()
    if parser.open_tags:
        raise MarkupError(f"<{parser.open_tags[-1]}> is never closed")
    return "".join(parser.out)


def _decode(name: str) -> str | None:
    if not name.startswith("#"):
        return NAMED.get(name)
    code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.open_tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            raise MarkupError(f"<{tag}> is not a tag Telegram supports "
                              f"(it takes {', '.join(sorted(TAGS))})")
        values = dict(attrs)
        if tag == "span" and values.get("class") != "tg-spoiler":
            raise MarkupError('<span> must be <span class="tg-spoiler">')
        if tag == "a" and not (values.get("href") or "").strip():
            raise MarkupError("<a> needs an address: <a href=\"https://…\">")
        self.open_tags.append(tag)

    def handle_startendtag(self, tag: str, _attrs: list[tuple[str, str | None]]) -> None:
        raise MarkupError(f"<{tag}/> is not a tag Telegram supports")

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags:
            raise MarkupError(f"</{tag}> closes no open tag")
        if self.open_tags[-1] != tag:
            raise MarkupError(f"</{tag}> found where </{self.open_tags[-1]}> was expected")
        self.open_tags.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data:
            raise MarkupError("a < that opens no tag: write it as &lt;")
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        # Without a semicolon ("AT&T") it is text, and Telegram shows it as typed.
        self.out.append(NAMED.get(name, f"&{name}"))

    def handle_charref(self, name: str) -> None:
        self.out.append(_decode(f"#{name}") or f"&#{name}")

    def handle_comment(self, _data: str) -> None:
        raise MarkupError("HTML comments are not supported")

    def handle_decl(self, decl: str) -> None:
        raise MarkupError(f"<!{decl}> is not supported")

    def unknown_decl(self, _data: str) -> None:
        raise MarkupError("<![…]> sections are not supported")

    def handle_pi(self, data: str) -> None:
        raise MarkupError(f"<?{data}> is not supported")

"""A simulated person with the same conversation verbs on Telegram and on Zalo, so that a story
that is the same on both channels is written once and run on each (STYLE.md point 14):

    lan = people(3001, "Lan")            # on the test's `channel`
    await lan.command("baotin")          # /baotin on Telegram; "báo tin" typed on Zalo
    await lan.choose("Trộm cắp")         # the button pressed; the choice's number typed
    await lan.wait_for("chuyện gì")

It wraps the sandboxes' own people (bot.sandbox.SimUser, bot.sandbox.zalo.SimZaloUser); `user`
gives the wrapped one for what only one channel has (button edits, polls, numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, Protocol

from bot.sandbox import Sandbox, SimUser
from bot.sandbox.zalo import SimZaloUser, ZaloSandbox
from bot.store import Store
from bot.text import matches

Channel = Literal["telegram", "zalo"]
CHANNELS: tuple[Channel, ...] = ("telegram", "zalo")

# What a person on Zalo types for a command: its words, as the contract's keywords.
KEYWORDS = {
    "baotin": "báo tin", "thamgia": "tham gia", "tindabao": "tin đã báo", "huy": "hủy",
    "caidat": "cài đặt", "dulieu": "dữ liệu", "xoadulieu": "xóa dữ liệu", "to": "tổ",
    "keng": "kẻng", "thongbao": "thông báo", "trogiup": "trợ giúp", "tinmo": "tin mở",
}
PLACE = (10.951, 107.161)  # a shared location inside the sample commune


class Said(Protocol):
    """A bot message as either sandbox shows it."""

    @property
    def text(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def labels(self) -> list[str]: ...


class Person:
    def __init__(self, user: SimUser | SimZaloUser) -> None:
        self.user = user
        self._pressed: str | None = None  # the callback query of the last press on Telegram

    @property
    def channel(self) -> Channel:
        return "telegram" if isinstance(self.user, SimUser) else "zalo"

    @property
    def external_id(self) -> str:
        """The account's id as the database keeps it."""
        return str(self.user.id)

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def inbox(self) -> list[Said]:
        return list(self.user.inbox)

    async def resident_id(self, store: Store) -> int | None:
        return await store.accounts.resident_of(self.channel, self.external_id)

    async def command(self, name: str, *args: str) -> None:
        """The command as this channel's people give it: a slash command on Telegram; its
        words typed on Zalo (with its argument after them)."""
        if isinstance(self.user, SimUser):
            await self.user.command(name, *args)
        else:
            await self.user.send(" ".join([KEYWORDS.get(name, name), *args]))

    async def choose(self, label: str) -> None:
        """The choice matching `label`: its button pressed; its number typed on Zalo."""
        if isinstance(self.user, SimUser):
            self._pressed = await self.user.press(label)
        else:
            await self.user.press(label)

    async def wait_for_notice(self, text: str) -> str:
        """A short answer to the last choice: on Telegram the pressed button's notice (its
        callback answer), on Zalo a message."""
        if isinstance(self.user, SimUser):
            assert self._pressed is not None, "nothing was pressed"
            notice = (await self.user.answer_for(self._pressed)).text or ""
            assert matches(notice, text), f"{self.name} was told {notice!r}, not {text!r}"
            return notice
        return (await self.user.wait_for(text)).text

    async def send(self, text: str) -> None:
        await self.user.send(text)

    async def send_photo(self, caption: str | None = None) -> None:
        await self.user.send_photo(caption)

    async def send_sticker(self) -> None:
        await self.user.send_sticker()

    async def place(self, hamlet: str, landmark: str) -> None:
        """Where it happened, asked by the report's "ở đâu": a shared location on Telegram;
        on Zalo, which cannot share one, the hamlet chosen and a landmark typed."""
        if isinstance(self.user, SimUser):
            await self.user.share_location(*PLACE)
            return
        await self.user.choose(hamlet)
        await self.user.wait_for("gõ thêm nơi cụ thể")
        await self.user.send(landmark)

    async def wait_for(
        self,
        text: str | None = None,
        *,
        predicate: Callable[[Said], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - an upper bound, the wait is event-driven
    ) -> Said:
        return await self.user.wait_for(text, predicate=predicate, timeout=timeout)

    async def start(self, join: str | None = None) -> None:
        """The first message, which starts onboarding: /start on Telegram, anything on Zalo.
        With `join`, a team's code comes in it (`/start join_CODE`, "tham gia CODE") and the
        join goes on after consent."""
        if isinstance(self.user, SimUser):
            await self.user.command("start", *([f"join_{join}"] if join else []))
        else:
            await self.user.send(f"tham gia {join}" if join else "xin chào")

    async def onboard(self, join: str | None = None, hamlet: str = "Ấp Hưng Nhơn") -> None:
        """The shortest onboarding: consent, hamlet, no groups (`join` as in `start`)."""
        await self.start(join)
        await self.wait_for("Đồng ý xử lý dữ liệu cá nhân")
        await self.choose("Đồng ý")
        await self.wait_for("ấp")
        await self.choose(hamlet)
        await self.wait_for("nhóm")
        await self.choose("Xong")
        await self.wait_for("Cảm ơn bạn")


def tracking_code(said: Said) -> str:
    """The TB- code a message names."""
    return next(word for word in said.text.split() if word.startswith("TB-")).rstrip(".")


class People:
    """Simulated people on either channel: `people(3001, "Lan")` on the test's channel,
    `people(3001, "Lan", on="zalo")` on a given one."""

    def __init__(self, sandbox: Sandbox, zalo: ZaloSandbox, channel: Channel) -> None:
        self.sandbox, self.zalo, self.channel = sandbox, zalo, channel

    def __call__(self, number: int, name: str, *, on: Channel | None = None) -> Person:
        if (on or self.channel) == "telegram":
            return Person(self.sandbox.user(number, first_name=name))
        return Person(self.zalo.user(number, name))

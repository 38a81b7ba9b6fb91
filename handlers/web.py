"""/web: an officer's one-time link to the web console (bot/web), on any messenger, in a
private chat only (a link in a group would be anyone's). The officer role is read from the
database; a person who is no officer gets the usual refusal, and no link."""

from __future__ import annotations

from bot.dialog import END, Flow, Turn
from bot.services.web_auth import LINK_MINUTES, Refusal


async def start(turn: Turn) -> str:
    """Sends the link (or says why not); asks nothing."""
    services = turn.services
    web = services.config.web_on
    if web is None:
        await turn.say(turn.t("web.off"))
        return END
    issued = await services.web_auth.issue(turn.person, "chat", turn.display_name)
    if issued.token is None:
        key = "web.too_many" if issued.refusal is Refusal.TOO_MANY else "errors.not_allowed"
        await turn.say(turn.t(key))
        return END
    await turn.say(turn.t("web.link", url=f"{web.base_url}/login/{issued.token}",
                          minutes=LINK_MINUTES))
    return END


def build_flow() -> Flow:
    return Flow(name="web", commands=("web",), start=start, timeout_minutes=1)

"""A message to someone about their place in a team — approved, refused, removed, made its
leader — on their preferred messenger, through the outbox (personal lane), in their
language. The chat's choices (handlers/team_actions.py) and the web console's teams page
(bot/web/team_requests.py) tell people the same way."""

from __future__ import annotations

from html import escape

from bot.delivery import DeliveryEngine, OutMessage
from bot.i18n import I18n
from bot.models import Resident, Team
from bot.services.relays import RelayService


async def tell_member(relays: RelayService, delivery: DeliveryEngine, i18n: I18n,
                      person: Resident, team: Team, key: str, origin: str) -> None:
    """`key` (a text with {team}) to `person`; nothing when there is no way to them."""
    recipient = await relays.recipient(person.id)
    if recipient is None:
        return
    lang = i18n.language(person.language)
    await delivery.enqueue(
        "personal", OutMessage(text=i18n.t(lang, key, team=escape(team.name, quote=False))),
        [recipient], commune_id=team.commune_id, origin=origin)

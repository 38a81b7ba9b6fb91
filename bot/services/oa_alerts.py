"""When a commune's Zalo OA stops working, its officers hear of it elsewhere: a refused token
renewal means nothing reaches the OA's followers until its admin consents again, so the
commune's staff group (Telegram) and each officer on another channel get a message, through
the outbox (never on the OA itself, which is what broke)."""

from __future__ import annotations

import logging
from html import escape

from bot.delivery import DeliveryEngine
from bot.i18n import I18n
from bot.models import Recipient
from bot.sending import OutMessage
from bot.store import Store

log = logging.getLogger(__name__)


def esc(value: object) -> str:
    return escape(str(value), quote=False)


async def tokens_refused(store: Store, delivery: DeliveryEngine, i18n: I18n, oa_id: str,
                         failure: str) -> int:
    """Tell the officers of the commune naming the OA; how many chats were told."""
    commune_id = await store.zalo_oa.commune_of(oa_id)
    commune = None if commune_id is None else await store.areas.commune(commune_id)
    if commune is None:
        return 0
    recipients: list[Recipient] = []
    if commune.staff_chat_id is not None:
        recipients.append(Recipient(None, commune.staff_chat_id))
    for officer in await store.residents.officers(commune.id):
        others = [a for a in await store.accounts.of_resident(officer.id)
                  if a.channel != "zalo_oa" and a.unreachable_at is None]
        if others:  # no person: the row goes to this chat, not to their preferred (the OA)
            recipients.append(Recipient.account(None, others[0].channel, others[0].external_id))
    if not recipients:
        log.error("the OA %s of commune %s lost its tokens and none of its officers can be "
                  "told on another channel", oa_id, commune.code)
        return 0
    text = i18n.t(i18n.default, "zalo_oa.tokens_refused", commune=esc(commune.name),
                  oa=esc(oa_id), failure=esc(failure),
                  command=f"anninh zalo connect --commune {esc(commune.code)}")
    await delivery.enqueue("personal", OutMessage(text=text), recipients,
                           commune_id=commune.id, origin=f"zalo_oa:{oa_id}:tokens")
    return len(recipients)

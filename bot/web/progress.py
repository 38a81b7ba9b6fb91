"""A broadcast's progress as the loudspeaker page shows it: its state, and how many of its
messages went out of how many on each messenger — rendered with the page, and sent again
on the live stream (bot/web/live.py) each time the delivery engine records more."""

from __future__ import annotations

from typing import Any

from bot.models import Broadcast
from bot.web.context import WebContext


async def progress(context: WebContext, broadcast: Broadcast) -> dict[str, Any]:
    by_channel = await context.services.store.outbox.counts_by_channel(broadcast.id)
    channels = [{
        "channel": channel, "label": context.t(f"web.fig_channel_{channel}"),
        "sent": counts.sent, "total": counts.total,
        "failed": counts.failed + counts.unreachable,
    } for channel, counts in by_channel.items()]
    return {
        "id": broadcast.id, "state": broadcast.state,
        "state_label": context.t(f"web.loud_state_{broadcast.state}"),
        "sent": sum(c["sent"] for c in channels), "total": sum(c["total"] for c in channels),
        "failed": sum(c["failed"] for c in channels), "channels": channels,
    }

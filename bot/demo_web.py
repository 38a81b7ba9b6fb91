"""The web console at the end of `anninh demo`: served by the offline bot on the demo's data,
a one-time login link for the sample commune's officer (Telegram 1001), and with `--serve`
the bot kept running until Ctrl-C so the console can be used."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from typing import TextIO

from bot.config import Config, WebConfig
from bot.context import SERVICES_KEY, AnninhApp, Services
from bot.services.web_auth import LINK_MINUTES

OFFICER = 1001  # the sample commune's officer (content/areas.sample.toml)
OFFICER_NAME = "Cán bộ Hùng"  # as the demo's staff group knows him


def free_port(listen: str) -> int:
    """A local TCP port nobody listens on."""
    with socket.socket() as probe:
        probe.bind((listen, 0))
        return int(probe.getsockname()[1])


def with_console(config: Config) -> Config:
    """`config` with the console on: its `[web]` port if it has one, else a free port (the
    demo must not fail because 8080 is taken); never a public address (it is offline)."""
    web = config.web_on or WebConfig(port=free_port("127.0.0.1"))
    return dataclasses.replace(config, web=dataclasses.replace(web, enabled=True,
                                                               public_url=""))


async def console_link(app: AnninhApp) -> str:
    """A one-time login link to the console for the sample officer."""
    services: Services = app.bot_data[SERVICES_KEY]
    web = services.config.web_on
    assert web is not None
    person = await services.store.residents.by_telegram_id(OFFICER)
    if person is None:
        raise LookupError(f"the sample officer {OFFICER} is not in the demo's database")
    issued = await services.web_auth.issue(person, "cli", OFFICER_NAME)
    if issued.token is None:
        raise LookupError(f"no login link for {OFFICER}: {issued.refusal}")
    return f"{web.base_url}/login/{issued.token}"


async def tell_console(app: AnninhApp, serve: bool, output: TextIO) -> None:
    """Print the login link, and what becomes of the console when the demo ends."""
    link = await console_link(app)
    print(f"Web console on the demo's data (officer {OFFICER_NAME}; the link works once, "
          f"for {LINK_MINUTES} minutes):\n  {link}", file=output)
    if serve:
        print("Serving until Ctrl-C.", file=output, flush=True)
        await asyncio.Event().wait()  # until cancelled: Ctrl-C
    else:
        print("The console closes with the demo: `anninh demo --serve` keeps it running.",
              file=output)

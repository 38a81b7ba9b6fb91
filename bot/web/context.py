"""What every page of the console shares: the services, the `[web]` section, the templates,
and the officer a request is made for (set by bot/web/security.py's session check)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jinja2
from aiohttp import web

from bot.config import WebConfig
from bot.services.container import Services
from bot.services.web_auth import Staff
from bot.web.media import MediaLinks

if TYPE_CHECKING:
    from bot.web.live import Live

TEMPLATES = "templates"
STATIC = "static"


@dataclass(frozen=True)
class WebContext:
    services: Services
    config: WebConfig
    links: MediaLinks | None
    templates: jinja2.Environment
    live: Live

    def t(self, key: str, **values: Any) -> str:
        """A text in the deployment's default language (officers read it, as the card)."""
        i18n = self.services.i18n
        return i18n.t(i18n.default, key, **values)

    def render(self, request: web.Request, name: str, status: int = 200,
               **values: Any) -> web.Response:
        """A page (`name`, a template) for this request, with the officer and the texts."""
        officer = request.get(OFFICER)
        i18n = self.services.i18n
        page = self.templates.get_template(name).render(
            t=self.t, known=i18n.texts[i18n.default], officer=officer,
            csrf=officer.session.csrf if officer else "", path=request.path, **values)
        return web.Response(text=page, status=status, content_type="text/html",
                            charset="utf-8")


CONTEXT = web.AppKey("context", WebContext)
OFFICER = web.RequestKey("officer", Staff)  # the officer the session stands for


def context_of(request: web.Request) -> WebContext:
    return request.app[CONTEXT]


def officer_of(request: web.Request) -> Staff:
    """The request's officer (the session check let it through only with one)."""
    return request[OFFICER]


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("bot.web", TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"], default=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)

"""The console's guards: security headers on every response, the session check on every
request (the officer and their communes read from the database each time), the CSRF token
every form carries, and the session cookie's attributes."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from multidict import MultiMapping

from bot.web.context import OFFICER, context_of

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Paths open without a session: the login pages, vendored files, media links (signed), the
# Open311 API (an API key where one is needed: bot/web/open311.py).
OPEN_PREFIXES = ("/login", "/static/", "/media/", "/open311/")

POLICY = "; ".join((
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'",
    "connect-src 'self'", "media-src 'self'", "form-action 'self'", "base-uri 'none'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def cookie_name(secure: bool) -> str:
    """`__Host-` binds the cookie to this host and path /, over HTTPS only."""
    return "__Host-anninh" if secure else "anninh"


async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Every response, pages, errors and files alike; pages and media are never cached by
    anyone but the browser that asked (a shared computer at the station)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")


@web.middleware
async def sessions(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Let a request through to a console page only with a live session of someone who is an
    officer now; anyone else gets the page that says how to log in (401)."""
    if request.path.startswith(OPEN_PREFIXES):
        return await handler(request)
    context = context_of(request)
    token = request.cookies.get(cookie_name(context.config.secure), "")
    staff = await context.services.web_auth.staff(token) if token else None
    if staff is None:
        response = context.render(request, "message.html", status=401,
                                  title=context.t("web.login_needed"),
                                  text=context.t("web.login_how"))
        if token:
            response.del_cookie(cookie_name(context.config.secure), path="/")
        return response
    request[OFFICER] = staff
    return await handler(request)


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """An error is a page in the officer's language, never a traceback."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        status = error.status
    except Exception:
        log.exception("web console: %s %s failed", request.method, request.path)
        status = 500
    key = {404: "web.not_found", 403: "web.bad_form", 405: "web.not_found"}.get(
        status, "web.error")
    context = context_of(request)
    return context.render(request, "message.html", status=status, title=context.t(key))


def check_csrf(request: web.Request, form: MultiMapping[Any]) -> None:
    """A form of this session (403 otherwise): the token it was rendered with."""
    staff = request[OFFICER]
    given = form.get("csrf")
    if not isinstance(given, str) or not hmac.compare_digest(given, staff.session.csrf):
        raise web.HTTPForbidden()

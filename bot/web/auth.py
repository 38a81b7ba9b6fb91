"""Logging in and out. A login link (`/login/<token>`) only shows a button: messengers fetch
links to preview them, so the one-time token is taken by the button's POST, which also
carries a nonce from a cookie the page set (a form posted from elsewhere logs no one in).
A few bad or expired tokens from one address, and it is refused for a while (429:
bot/web/login_limit.py)."""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web

from bot.services.web_auth import LINK_MINUTES, SESSION_HOURS
from bot.web.context import CONTEXT, OFFICER, context_of, officer_of
from bot.web.login_limit import WINDOW, LoginLimit, address_of
from bot.web.security import check_csrf, cookie_name

NONCE_COOKIE = "anninh_login"
LIMIT = web.AppKey("login_limit", LoginLimit)


async def login_page(request: web.Request) -> web.Response:
    context = context_of(request)
    token = request.match_info["token"]
    if request.app[LIMIT].blocked(address_of(request)):
        return _too_many(request)
    if not await context.services.web_auth.usable(token):
        return _bad_link(request)
    nonce = secrets.token_urlsafe(16)
    response = context.render(request, "login.html", token=token, nonce=nonce,
                              minutes=LINK_MINUTES)
    response.set_cookie(NONCE_COOKIE, nonce, path="/login", max_age=LINK_MINUTES * 60,
                        httponly=True, samesite="Strict", secure=context.config.secure)
    return response


async def log_in(request: web.Request) -> web.Response:
    context = context_of(request)
    if request.app[LIMIT].blocked(address_of(request)):
        return _too_many(request)
    form = await request.post()
    token, nonce = form.get("token"), form.get("nonce")
    cookie = request.cookies.get(NONCE_COOKIE, "")
    if not isinstance(token, str) or not isinstance(nonce, str) or not cookie or not (
            hmac.compare_digest(nonce, cookie)):
        return _bad_link(request)
    logged_in = await context.services.web_auth.log_in(token)
    if logged_in is None:
        return _bad_link(request)
    response = web.Response(status=303, headers={"Location": "/"})
    response.set_cookie(cookie_name(context.config.secure), logged_in.token, path="/",
                        max_age=SESSION_HOURS * 3600, httponly=True, samesite="Strict",
                        secure=context.config.secure)
    response.del_cookie(NONCE_COOKIE, path="/login")
    return response


async def log_out(request: web.Request) -> web.Response:
    context = context_of(request)
    check_csrf(request, await request.post())
    await context.services.web_auth.log_out(officer_of(request).session)
    request.pop(OFFICER, None)  # the page below is a stranger's
    response = context.render(request, "message.html", title=context.t("web.logged_out"),
                              text=context.t("web.login_how"))
    response.del_cookie(cookie_name(context.config.secure), path="/")
    return response


def _bad_link(request: web.Request) -> web.Response:
    """A token unknown, used or expired: counted against the address it came from."""
    request.app[LIMIT].failed(address_of(request))
    context = context_of(request)
    return context.render(request, "message.html", status=400,
                          title=context.t("web.login_bad"), text=context.t("web.login_how"))


def _too_many(request: web.Request) -> web.Response:
    context = context_of(request)
    seconds = int(WINDOW.total_seconds())
    response = context.render(request, "message.html", status=429,
                              title=context.t("web.login_too_many"),
                              text=context.t("web.login_wait", minutes=seconds // 60))
    response.headers["Retry-After"] = str(seconds)
    return response


def add_routes(app: web.Application) -> None:
    app[LIMIT] = LoginLimit(app[CONTEXT].services.clock)
    app.router.add_get("/login/{token}", login_page)
    app.router.add_post("/login", log_in)
    app.router.add_post("/logout", log_out)

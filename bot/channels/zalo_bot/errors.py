"""Errors of the Zalo Bot API, one class per way the caller must react.

Every error carries `error_code` (Zalo's, which is also the HTTP status; 0 when no answer came
at all), `description` and the `method` that failed. None of them ever holds the bot token.
"""

from __future__ import annotations


class ZaloError(Exception):
    """Any failed Zalo Bot API call."""

    def __init__(self, error_code: int, description: str, method: str = "") -> None:
        super().__init__(error_code, description, method)
        self.error_code = error_code
        self.description = description
        self.method = method

    def __str__(self) -> str:
        where = f"Zalo {self.method}" if self.method else "Zalo"
        return f"{where}: {self.error_code} {self.description}"


class ZaloBadRequest(ZaloError):
    """400: the call itself is wrong (a text too long, an unknown chat …): do not retry."""


class ZaloUnauthorized(ZaloError):
    """401: the bot token is wrong or revoked."""


class ZaloForbidden(ZaloError):
    """403: the person cannot be reached (blocked the bot, never wrote to it)."""


class ZaloRateLimited(ZaloError):
    """429: over a quota or a rate. Zalo gives no retry_after: back off on your own."""


class ZaloTransientError(ZaloError):
    """5xx, a network failure or no answer in time: retrying later may work."""


class ZaloTimedOut(ZaloTransientError):
    """No answer in time. A send may have been delivered all the same: do not blindly resend."""


class ZaloMalformedResponse(ZaloError):
    """The server answered something that is not a Zalo envelope."""


class ZaloFileTooLarge(ZaloError):
    """A download was refused: the file is larger than allowed."""


_BY_CODE: dict[int, type[ZaloError]] = {
    400: ZaloBadRequest,
    401: ZaloUnauthorized,
    403: ZaloForbidden,
    408: ZaloTransientError,
    429: ZaloRateLimited,
}


def error_for(error_code: int, description: str, method: str) -> ZaloError:
    """The exception for an `{"ok": false, "error_code": …}` answer."""
    if error_code >= 500:
        return ZaloTransientError(error_code, description, method)
    return _BY_CODE.get(error_code, ZaloError)(error_code, description, method)

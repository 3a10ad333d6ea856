"""Limits per client address on what can be guessed: passwords at sign-in, password-set
links and calendar feed addresses. Flask-Limiter keeps the counts: in memory by default
(each web process counts alone), or in Redis (`rate_limit_storage_uri`) so that several
processes or nodes share them.

Only refusals are counted (a failed sign-in, a link or feed address that does not exist):
people signing in, and calendar apps polling the feed they were given, never are, so a
practice whose staff share one address is not slowed by its own use. Once an address is
over its limit, it gets 429 with Retry-After for every request to those routes until the
window has passed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, current_app, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many
from werkzeug.exceptions import TooManyRequests

from mdt.config import ConfigError

#: The settings that hold limits, e.g. "10 per minute; 50 per hour".
LIMIT_SETTINGS = (
    "SECURITY_RATE_LIMIT_SIGN_IN",
    "SECURITY_RATE_LIMIT_PASSWORD_LINK",
    "SECURITY_RATE_LIMIT_FEED",
)

# The client's address is the request's remote address: the proxy's own unless
# [server] trusted_proxies lets ProxyFix take it from X-Forwarded-For (mdt.create_app).
limiter = Limiter(
    key_func=get_remote_address,
    # Exact: "10 per minute" is at most 10 in any 60 seconds. (Redis and memory keep this;
    # Memcached does not.)
    strategy="moving-window",
    headers_enabled=False,  # Retry-After is set on the 429 alone (too_many_requests)
    in_memory_fallback_enabled=True,  # Redis down: count in memory rather than fail
)

View = TypeVar("View", bound=Callable[..., object])


def limit_refusals(
    setting: str,
    refused: Callable[[Response], bool],
    *,
    methods: list[str] | None = None,
    plain_text: bool = False,
) -> Callable[[View], View]:
    """Limit a view's requests (of `methods`, or all) from one address by a setting's
    limits, counting only the answers that `refused` picks out. Views that share a setting
    share its counts. With `plain_text`, the 429 is plain text (for calendar apps) instead
    of an NHS.UK page."""

    def counts(response: Response) -> bool:
        return response.status_code != 429 and refused(response)

    def decorate(view: View) -> View:
        limited = limiter.shared_limit(
            lambda: current_app.config[setting], scope=setting, methods=methods, deduct_when=counts
        )(view)
        limited.plain_text_429 = plain_text  # type: ignore[attr-defined]
        return limited  # type: ignore[return-value]

    return decorate


def retry_after_seconds() -> int:
    """Seconds until the breached limit lets this address in again (at least 1)."""
    breached = limiter.current_limit
    if breached is None:
        return 60
    return max(1, math.ceil(breached.reset_at - time.time()))


def too_many_requests(error: TooManyRequests) -> tuple[str, int, dict[str, str]]:
    seconds = retry_after_seconds()
    headers = {"Retry-After": str(seconds)}
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "plain_text_429", False):
        headers["Content-Type"] = "text/plain; charset=utf-8"
        return f"Too many requests. Try again in {seconds} seconds.\n", 429, headers
    minutes = max(1, round(seconds / 60))
    wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    return render_template("errors/429.html", error=error, wait=wait), 429, headers


def init_app(app: Flask) -> None:
    for setting in LIMIT_SETTINGS:
        try:
            parse_many(str(app.config[setting]))
        except ValueError:
            raise ConfigError(
                f"{setting}: {app.config[setting]!r} is not a rate limit such as "
                "'10 per minute; 50 per hour'"
            ) from None
    app.config.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=app.config["SECURITY_RATE_LIMIT_STORAGE_URI"],
    )
    limiter.init_app(app)
    app.register_error_handler(429, too_many_requests)

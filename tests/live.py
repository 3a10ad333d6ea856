"""Serving the app on a real socket in tests (werkzeug's server, in a thread)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

WSGIApp = Any


def closing_responses(app: WSGIApp) -> WSGIApp:
    """The app, with each response's body closed even when the client goes away mid-send.

    werkzeug's development server closes a body in a `finally` that first drains the socket;
    when the browser has reset the connection (it abandons a stylesheet as it navigates on)
    the drain raises and the body, a static file, is left to the garbage collector
    ("ResourceWarning: unclosed file"). A generator's own `finally` runs however it ends.
    """

    def serve(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        body: Iterable[bytes] = app(environ, start_response)
        try:
            yield from body
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return serve

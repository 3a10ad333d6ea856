"""Where a redirect may go when the target came from the request (`next`, `back`, the
referrer): only to a path on this site, never to another one."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

#: Control characters. Browsers drop tabs and newlines from a URL before reading it (so
#: "/\t/evil.example" is "//evil.example" to them), and a newline would split the header.
_UNSAFE_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def safe_next_path(value: str | None, default: str) -> str:
    """`value` when it is a path on this site, else `default`.

    Anything that a browser could read as another site is refused: "//host" and "////host"
    (a scheme-relative URL), backslashes ("/\\host", which browsers treat as "//host"),
    absolute URLs (ours included: the targets the app makes itself are always paths),
    "javascript:" and other schemes, control characters, and each of these percent-encoded
    once (a second redirect or a proxy could decode it)."""
    if not value or not _is_local_path(value):
        return default
    decoded = unquote(value)
    if decoded != value and not _is_local_path(decoded):
        return default
    return value


def _is_local_path(value: str) -> bool:
    if not value.startswith("/") or value.startswith("//"):
        return False
    if "\\" in value or _UNSAFE_CHARACTER.search(value):
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc

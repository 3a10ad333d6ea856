"""What feeds keep between requests, per app (so per gunicorn worker).

Built bytes are kept in a least-recently-used cache of BODY_CACHE_SIZE entries keyed by
(feed, validator: mdt.calendar.validators); a 200 whose validator is cached serves those
bytes. Under READ COMMITTED each statement sees its own snapshot, so a change committed
between the validator and the build would give newer bytes under an older validator: the
validator is taken again after a build, and the bytes are cached and given that ETag only
when it has not moved (otherwise they go out without an ETag, and the next fetch sets one).

Validators themselves are kept too, by (feed, window, feed clock): the clock (`FeedClock`)
ticks on every write to a table a validator reads, by database triggers, so while nothing
is written a poll is answered from the token's statement alone.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import Generic, TypeVar

from flask import current_app

from mdt.calendar.events import Window

V = TypeVar("V")

BODY_CACHE_SIZE = 256  # a region's feed is about 40 kB: 10 MB a worker at most
VALIDATOR_CACHE_SIZE = 8192  # about 200 bytes each: under 2 MB a worker


class Recent(Generic[V]):
    """Values by key, at most `size` of them; the least recently used goes first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()  # gunicorn may run threads

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


def bodies() -> Recent[bytes]:
    return current_app.extensions.setdefault("mdt.calendar.bodies", Recent(BODY_CACHE_SIZE))


def kept_validators() -> Recent[str]:
    return current_app.extensions.setdefault(
        "mdt.calendar.validators", Recent(VALIDATOR_CACHE_SIZE)
    )


def current(feed: Hashable, today: date, clock: int | None, validate: Callable[[], str]) -> str:
    """The feed's validator: the one kept for this feed and window when the feed clock has
    not ticked since it was taken (nothing a feed reads was written), else taken now.

    The clock is read before the validator is taken (in the token's statement), so a
    validator is kept under a clock no later than the data it fingerprints: a write
    committed in between ticks the clock past the key, and the next poll takes it again."""
    if clock is None:
        return validate()
    window = Window.around(today)
    key = (feed, window.first, window.last, clock)
    validator = kept_validators().get(key)
    if validator is None:
        validator = validate()
        kept_validators().put(key, validator)
    return validator


def gzipped(feed: Hashable, validator: str | None, body: bytes) -> bytes:
    """The body gzipped, the same bytes each time (no timestamp), kept beside the body."""
    key = (feed, validator, "gzip")
    found = bodies().get(key) if validator is not None else None
    if found is None:
        found = gzip.compress(body, compresslevel=6, mtime=0)
        if validator is not None:
            bodies().put(key, found)
    return found


def body_for(
    feed: Hashable, validator: str, validate: Callable[[], str], build: Callable[[], bytes]
) -> tuple[bytes, str | None]:
    """The feed's bytes for `validator` (cached, or built and checked) and the ETag to send."""
    cache = bodies()
    body = cache.get((feed, validator))
    if body is not None:
        return body, validator
    body = build()
    if validate() != validator:  # something changed while building: no ETag this time
        return body, None
    cache.put((feed, validator), body)
    return body, validator

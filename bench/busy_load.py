"""One step of the busy hour, open loop, with Locust's HTTP client and statistics.

    .venv/bin/python -m bench.busy_load STEP.json

Run as its own process by bench/busy_run.py (Locust patches the standard library for
gevent on import, which the app must not see). STEP.json names the server, the rate (a
multiple of the model's), the seconds, and the state each flow needs (bench/busy_state.py);
the figures are printed as one JSON line. A greenlet is spawned for each arrival on the
schedule of bench/busy_hour.py and nothing waits for it, so arrivals keep their times
however slowly the server answers; every flow still running when the step ends is given
`grace` seconds, then counted as failed.
"""

from __future__ import annotations

import json
import re
import sys
import time
from itertools import count
from typing import Any

import gevent
from locust.contrib.fasthttp import FastHttpSession
from locust.env import Environment
from locust.stats import StatsEntry

from bench.busy_hour import dispatch, schedule
from bench.scales import BENCH_PASSWORD

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Step:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.env = Environment()
        self.env.create_local_runner()  # puts the request events into env.stats; no users
        self.turns = {name: count() for name in ("sign in", "my prep save", "meeting mode")}
        self.feeds = count()
        self.failed_flows = 0

    def session(self) -> FastHttpSession:
        """A new browser: its own cookies and connection, as each person has."""
        return FastHttpSession(self.spec["base"], self.env.events.request, None)

    def get(self, http: FastHttpSession, name: str, path: str, want: int, **kw: Any) -> Any:
        with http.request("GET", path, name=name, catch_response=True, **kw) as response:
            if response.status_code != want:
                response.failure(f"{response.status_code}")
            return response

    def post(self, http: FastHttpSession, name: str, path: str, data: dict, **kw: Any) -> Any:
        with http.request(
            "POST", path, name=name, data=data, catch_response=True, allow_redirects=False, **kw
        ) as response:
            if response.status_code != 302:
                text = response.text or ""
                said = re.search(r'error-summary__list">(.*?)</ul>', text, re.S)
                response.failure(f"{response.status_code} {said.group(1)[:200] if said else ''}")
            return response

    def pick(self, flow: str) -> Any:
        items = self.spec[flow]
        return items[next(self.turns[flow]) % len(items)]

    def sign_in(self) -> None:
        http = self.session()
        page = self.get(http, "sign in: form", "/login", 200).text
        token = CSRF.search(page).group(1)  # type: ignore[union-attr]
        data = {"email": self.pick("sign in"), "password": BENCH_PASSWORD, "csrf_token": token}
        if self.post(http, "sign in: post", "/login", data).status_code == 302:
            self.get(http, "sign in: dashboard", "/dashboard", 200)

    def prep_save(self) -> None:
        cookie, csrf, request_id, revision = self.pick("my prep save")
        http, headers = self.session(), {"Cookie": cookie}
        self.get(http, "my prep: page", "/prep", 200, headers=headers)
        field = f"p{request_id}-"
        # The form's token is prefixed as its fields are (p<id>-csrf_token).
        data = {
            field + "csrf_token": csrf,
            field + "known": "yes",
            field + "revision": str(revision),
        }
        data[field + "involvement"] = "Seen last week at the surgery; stable."
        self.post(http, "my prep: save", f"/prep/{request_id}", data, headers=headers)
        self.get(http, "my prep: page after", "/prep", 200, headers=headers)

    def meeting_mode(self) -> None:
        cookie, meeting_id = self.pick("meeting mode")
        path = f"/meetings/{meeting_id}/run"
        self.get(self.session(), "meeting mode", path, 200, headers={"Cookie": cookie})

    def feed(self, conditional: bool) -> None:
        feeds = self.spec["feeds"]
        token, etag = feeds[next(self.feeds) % len(feeds)]
        path = f"/calendar/{token}.ics"
        if conditional:
            headers = {"If-None-Match": etag}
            self.get(self.session(), "feed (304)", path, 304, headers=headers)
        else:
            self.get(self.session(), "feed (full)", path, 200)

    def start(self, flow: str) -> None:
        work = {
            "sign in": self.sign_in,
            "my prep save": self.prep_save,
            "meeting mode": self.meeting_mode,
            "feed (full)": lambda: self.feed(False),
            "feed (304)": lambda: self.feed(True),
        }[flow]
        self.running.append(gevent.spawn(self._guarded, work))

    def _guarded(self, work: Any) -> None:
        try:
            work()
        except Exception:  # a flow that broke (no form to read) is a failed flow
            self.failed_flows += 1

    def run(self) -> dict[str, Any]:
        self.running: list[gevent.Greenlet] = []
        arrivals = schedule(self.spec["multiple"], self.spec["seconds"])
        started = time.monotonic()
        late = dispatch(arrivals, self.start, time.monotonic, gevent.sleep)
        gevent.joinall(self.running, timeout=self.spec.get("grace", 10))
        unfinished = sum(1 for g in self.running if not g.dead)
        gevent.killall([g for g in self.running if not g.dead], block=False)
        elapsed = time.monotonic() - started
        return self.figures(len(arrivals), late, unfinished, elapsed)

    def figures(self, flows: int, late: float, unfinished: int, elapsed: float) -> dict:
        def of(entry: Any) -> dict[str, float]:
            return {
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "p50": entry.get_response_time_percentile(0.5) or 0,
                "p95": entry.get_response_time_percentile(0.95) or 0,
                "p99": entry.get_response_time_percentile(0.99) or 0,
            }

        stats = self.env.stats
        # Everything but the password check (argon2, by design slow): what the pages cost.
        pages = StatsEntry(stats, "pages", "", use_response_times_cache=False)
        for (name, _m), entry in stats.entries.items():
            if name != "sign in: post":
                pages.extend(entry)
        return {
            "pages": of(pages),
            "flows": flows,
            "late_s": late,
            "unfinished": unfinished,
            "failed_flows": self.failed_flows,
            "seconds": self.spec["seconds"],
            "elapsed": elapsed,
            "total": of(stats.total),
            "by_name": {name: of(entry) for (name, _m), entry in stats.entries.items()},
            "errors": [str(e.error) for e in stats.errors.values()][:5],
        }


def main(path: str) -> None:
    with open(path) as fh:
        spec = json.load(fh)
    print(json.dumps(Step(spec).run()))


if __name__ == "__main__":
    main(sys.argv[1])

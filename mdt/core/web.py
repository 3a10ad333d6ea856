"""HTTP concerns shared by every page: security headers, error pages, health."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import text
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, MapAdapter, ValidationError

from mdt.core import page_errors, widgets
from mdt.core.database import db
from mdt.core.days import to_local
from mdt.core.fields import RECORDED
from mdt.core.time import now_utc

log = logging.getLogger(__name__)
bp = Blueprint("core", __name__)


#: The app's health checks beyond the database, by the name /healthz reports each under.
_HEALTH_CHECKS = "mdt.health_checks"


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    try:
        db.session.execute(text("SELECT 1"))
        checks = {name: check() for name, check in health_checks().items()}
    except Exception as exc:  # noqa: BLE001 - any database failure makes the app unhealthy
        return {"status": "error", "database": type(exc).__name__}, 503
    # A check's answer is for monitoring (a stale scheduler only delays reminders and
    # retries): whatever it says, the app is healthy (200) if the check could run.
    return {"status": "ok", "database": "ok", **checks}, 200


def add_health_check(app: Flask, name: str, check: Callable[[], str]) -> None:
    """Have /healthz report `check()` under `name`: a feature above core adds its own when
    the app is created (the scheduler's heartbeat does), so core imports none of them."""
    app.extensions.setdefault(_HEALTH_CHECKS, {})[name] = check


def health_checks() -> dict[str, Callable[[], str]]:
    return current_app.extensions.get(_HEALTH_CHECKS, {})


def external_url(endpoint: str, **values: object) -> str:
    """A link for outside the app (emails, printed links), built on the configured BASE_URL
    rather than whatever Host header the request came with; works outside requests too."""
    if len(values) == 1:
        ((name, value),) = values.items()
        if type(value) is int:  # a row's link: the reminder sweep builds tens of thousands
            return external_row_link(endpoint, name)(value)
    return _external_adapter().build(endpoint, values, force_external=True)


def external_row_link(endpoint: str, name: str) -> Callable[[int], str]:
    """external_url(endpoint, name=<a row's id>) for any row: built once per endpoint and
    the id written in (building each took 15-20 µs), as url_for_rows does for pages. The
    function works outside the app context too."""
    base_url = current_app.config["BASE_URL"]
    kept = current_app.extensions.setdefault("mdt.external_row_links", {})
    key = (base_url, endpoint, name)
    if key not in kept:
        built = _external_adapter().build(endpoint, {name: _ROW_ID}, force_external=True)
        if built.count(_ROW_ID) == 1:
            kept[key] = lambda row_id: built.replace(_ROW_ID, str(row_id))
        else:  # the placeholder is in the base URL too: build each link
            adapter = _external_adapter()
            kept[key] = lambda row_id: adapter.build(endpoint, {name: row_id}, force_external=True)
    return kept[key]


def _external_adapter() -> MapAdapter:
    """Bound once per BASE_URL and kept on the app: binding took half of each link's time,
    and the reminder sweep builds tens of thousands. (An adapter sees rules added later.)"""
    base_url = current_app.config["BASE_URL"]
    kept = current_app.extensions.get("mdt.external_adapter")
    if kept is None or kept[0] != base_url:
        base = urlsplit(base_url)
        adapter = current_app.url_map.bind(
            base.netloc, script_name=base.path or "/", url_scheme=base.scheme
        )
        kept = current_app.extensions["mdt.external_adapter"] = (base_url, adapter)
    return kept[1]


#: Stands for a row's id in a URL built once for a list (a valid id, and in no real path).
_ROW_ID = "987654321"


def url_for_rows(endpoint: str, **values: object) -> RowUrls:
    """url_for for each row of a list, where a value says "{id}": the URL is built once and
    each row's id written in (url_for takes 5-11 µs; a few a row add up on a long list).
    E.g. `url_for_rows("prep.mine", prepare="{id}", _anchor="request-{id}")[7]`."""
    built = url_for(
        endpoint,
        **{k: v.replace("{id}", _ROW_ID) if isinstance(v, str) else v for k, v in values.items()},
    )
    if _ROW_ID not in built:
        raise ValueError(f"url_for_rows({endpoint!r}): no value says {{id}}")
    return RowUrls(built)


@dataclass(frozen=True, slots=True)
class RowUrls:
    """A row's URL by its id: `links[row.id]`. Indexed, not called: a template calls through
    Jinja's context (about 3 µs), while an index is a plain lookup."""

    built: str

    def __getitem__(self, row_id: int) -> str:
        return self.built.replace(_ROW_ID, str(int(row_id)))


#: A year. includeSubDomains covers only names under the app's own host, never its parent
#: domain's other sites.
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def add_security_headers(response: Response) -> Response:
    nonce = g.get("csp_nonce")
    script_src = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if current_user and current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    if current_app.config["BASE_URL"].startswith("https://"):
        # Browsers that have seen this once use https only for a year (renewed by each visit).
        response.headers["Strict-Transport-Security"] = HSTS
    return response


def render_error(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    template = f"errors/{code}.html" if code in {400, 403, 404, 405, 500} else "errors/other.html"
    return _error_page(code, lambda: render_template(template, error=error))


def render_server_error(error: Exception) -> tuple[str, int]:
    rule = request.url_rule.rule if request.url_rule else "-"  # the route: no tokens in it
    log.error("unhandled error on %s %s", request.method, rule, exc_info=error)
    try:  # a failed statement leaves the session unusable, and the page reads the user
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the page is still shown; the fallback needs nothing
        log.exception("rolling back after the error failed too")
    return _error_page(500, lambda: render_template("errors/500.html"))


def _error_page(code: int, render: Callable[[], str]) -> tuple[str, int]:
    """The error page, or a plain one written here when making it fails (the database is
    down, a template is broken): an error page must not fail, or the server answers with a
    bare "Internal Server Error" and the request goes unlogged."""
    try:
        return render(), code
    except Exception:  # noqa: BLE001 - any failure: the plain page needs no session or template
        log.exception("the error page for %s failed; the plain page was sent", code)
        return PLAIN_ERROR_PAGE, code


#: The page sent when the error page itself fails: no template, no session, no database.
PLAIN_ERROR_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Error: Sorry, there is a problem with the service</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<h1>Sorry, there is a problem with the service</h1>
<p>Try again later. Nothing you saved before this has been lost. If it keeps happening, tell
your administrator the time it happened.</p>
<p><a href="/">Go to the start page</a></p>
</body>
</html>
"""


class DateConverter(BaseConverter):
    """<date:day> in a URL: an ISO date in the window of recorded dates (from 2000 to five
    years ahead: nothing outside it exists, and near year 9999 no time can be built from it);
    anything else is a 404."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValidationError() from None
        if not RECORDED.contains(day, now_utc().date()):
            raise ValidationError()
        return day

    def to_url(self, value: date) -> str:
        return value.isoformat()


#: Stands for the sign-out form's CSRF token in a header rendered once and kept.
_TOKEN = "mdt-sign-out-token-goes-here"
#: Headers kept per app: one per (name, administrator or not) signed in, and the signed-out one.
_HEADERS = "mdt.page_headers"


def page_header() -> Markup:
    """The NHS.UK header (service name, navigation, account), rendered once for each
    signed-in name and role and kept; only the sign-out form's token differs per request."""
    signed_in = bool(current_user.is_authenticated)
    who = (current_user.name, current_user.is_admin) if signed_in else None
    key = (request.script_root, who)
    kept = current_app.extensions.setdefault(_HEADERS, {})
    html = kept.get(key)
    if html is None:
        if len(kept) >= 2000:
            kept.clear()
        html = kept[key] = render_template("macros/header.html", logout_token=_TOKEN)
    return Markup(html.replace(_TOKEN, generate_csrf()) if signed_in else html)


def page_footer() -> Markup:
    """The footer: the same on every page, so rendered once."""
    kept = current_app.extensions.setdefault(_HEADERS, {})
    key = ("footer", request.script_root)
    if key not in kept:
        kept[key] = render_template("macros/footer.html")
    return Markup(kept[key])


def init_app(app: Flask) -> None:
    app.url_map.converters["date"] = DateConverter
    app.register_blueprint(bp)
    app.after_request(add_security_headers)
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(Exception, render_server_error)
    page_errors.init_app(app)  # "Error: " at the start of the title of a page with errors
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.globals["to_local"] = to_local
    app.jinja_env.globals["url_for_rows"] = url_for_rows
    app.jinja_env.globals.update(widgets.FIELDS, page_header=page_header, page_footer=page_footer)

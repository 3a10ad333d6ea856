"""MDT Coordinator: multidisciplinary team meetings across primary, community and social care."""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from mdt.config import load_settings, resolve_secret_key
from mdt.core.paths import ROOT


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    settings = load_settings()
    settings.update(config or {})
    app.config.update(settings)
    app.config["SECRET_KEY"] = resolve_secret_key(app.config, app.instance_path)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=str(app.config["BASE_URL"]).startswith("https://"),
        REMEMBER_COOKIE_DURATION=0,
        WTF_CSRF_TIME_LIMIT=None,
    )
    _trust_proxies(app)
    _configure_templates(app)
    _register(app)
    # The bank-holiday library imports every country's module on its first use (about 0.2 s
    # on the development machine): done here, at start-up, rather than in the first request
    # that shows a working day or finds a slot.
    from mdt.core.days import bank_holiday
    from mdt.core.time import now_utc

    bank_holiday(now_utc().date())
    return app


def autoescape(template_name: str | None) -> bool:
    """Whether a template escapes what it writes: every one but the plain-text emails.
    Flask escapes only .html and a few others by default, not the NHS.UK macros' .jinja files,
    which wrote each text they were given (a person's name, an error message) raw."""
    return template_name is None or not template_name.endswith(".txt")


def _trust_proxies(app: Flask) -> None:
    """Behind N reverse proxies, the client's address and scheme are the ones the nearest
    N wrote into X-Forwarded-For and X-Forwarded-Proto. Without proxies those headers are
    ignored: a client could write anything there (and so escape its address's limits)."""
    proxies = int(app.config["SERVER_TRUSTED_PROXIES"])
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


def _configure_templates(app: Flask) -> None:
    # The NHS.UK macros need ChainableUndefined for their optional nested parameters.
    app.jinja_options = {
        "autoescape": autoescape,
        "undefined": ChainableUndefined,
        "loader": ChoiceLoader(
            [FileSystemLoader(str(ROOT / "templates")), PackageLoader("nhsuk_frontend_jinja")]
        ),
    }


def _register(app: Flask) -> None:
    from mdt import cli, core, extensions
    from mdt.actions import views as actions
    from mdt.agenda import cutoff
    from mdt.agenda import views as agenda
    from mdt.audit import views as audit
    from mdt.availability import views as availability
    from mdt.backup import queries as backup
    from mdt.calendar import subscribers as calendar_subscribers
    from mdt.calendar import views as calendar
    from mdt.core import throttle, web
    from mdt.dashboard import views as dashboard
    from mdt.directory import views as directory
    from mdt.fhir import api as fhir_api
    from mdt.fhir import tokens as fhir_tokens
    from mdt.fhir import views as fhir
    from mdt.mail import outbox
    from mdt.mail import views as mail
    from mdt.meetings import subscribers as meetings_subscribers
    from mdt.meetings import views as meetings
    from mdt.mfa import views as mfa
    from mdt.minutes import subscribers as minutes_subscribers
    from mdt.minutes import views as minutes
    from mdt.oidc import views as oidc
    from mdt.organisations import views as organisations
    from mdt.patients import views as patients
    from mdt.people import views as accounts
    from mdt.prep import subscribers as prep_subscribers
    from mdt.prep import views as prep
    from mdt.reauth import views as reauth
    from mdt.reminders import heartbeat, recheck
    from mdt.reminders import views as reminders
    from mdt.reports import views as reports
    from mdt.retention import views as retention
    from mdt.slots import views as slots
    from mdt.subject_access import views as subject_access
    from mdt.teams import views as teams

    # Imported for what they register: models, the flush listener, the held-mail page's
    # restore, and the handlers of the meetings' signals.
    del backup, core, recheck
    del calendar_subscribers, meetings_subscribers, minutes_subscribers, prep_subscribers
    _register_reminder_kinds()
    extensions.db.init_app(app)
    web.init_app(app)
    heartbeat.init_app(app)  # /healthz reports the scheduler
    cutoff.init_app(app)  # templates show an agenda's closing day
    throttle.init_app(app)
    accounts.init_app(app)
    oidc.init_app(app)
    for blueprint in (
        dashboard.bp,
        organisations.bp,
        teams.bp,
        slots.bp,
        meetings.bp,
        availability.bp,
        calendar.bp,
        agenda.bp,
        prep.bp,
        minutes.bp,
        actions.bp,
        patients.bp,
        reminders.bp,
        mail.bp,
        directory.bp,
        audit.bp,
        reports.bp,
        retention.bp,
        subject_access.bp,
        fhir.bp,
        fhir_api.bp,
        mfa.bp,
        reauth.bp,
    ):
        app.register_blueprint(blueprint)
    # The API takes no forms, so no CSRF token: a bearer token authenticates each request.
    fhir_tokens.init_app(app)
    cli.init_app(app)
    if app.config["BENCH_FLOOR"]:
        from mdt.core import floor

        floor.init_app(app)

    @app.teardown_appcontext
    def _finish(_exc: BaseException | None) -> None:
        # At the end of a request (or a command): close the session, which rolls back
        # anything uncommitted, then send what committed work queued.
        session = g.pop("db_session", None)
        if session is not None:
            session.close()
        outbox.deliver_pending_after_request()


def _register_reminder_kinds() -> None:
    from mdt.actions import reminders as actions
    from mdt.directory import reminders as directory
    from mdt.meetings import reminders as meetings
    from mdt.minutes import reminders as minutes
    from mdt.prep import reminders as prep
    from mdt.reminders.kinds import register

    # In this order the sweep derives them, which orders the reminders and emails it makes.
    for feature in (meetings, prep, actions, minutes, directory):
        register(*feature.KINDS)

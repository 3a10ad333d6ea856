"""The calendar page, feed links, and the feeds themselves (by secret address, no sign-in)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mdt.accounts.access import admin_required, signed_in_user
from mdt.accounts.models import User
from mdt.calendar import delivery, feed_cache, validators
from mdt.calendar import feed as feeds
from mdt.calendar import operations as ops
from mdt.calendar.events import Window
from mdt.calendar.forms import DeliveryForm
from mdt.calendar.models import CalendarFeed, MeetingDelivery
from mdt.core.forms import EmptyForm
from mdt.core.revisions import EXPIRED
from mdt.core.throttle import limit_refusals
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.teams.access import get_team_or_404
from mdt.teams.models import Membership, Team, TeamRole

bp = Blueprint("calendar", __name__, url_prefix="/calendar")


# --- the feeds -----------------------------------------------------------------------------


def _wrong_address(response: Response) -> bool:
    return response.status_code == 404


#: Only addresses that do not exist are counted: a calendar app polling its own feed never is.
_limit_wrong_addresses = limit_refusals("SECURITY_RATE_LIMIT_FEED", _wrong_address, plain_text=True)


@bp.get("/<token>.ics")
@_limit_wrong_addresses
def person_feed(token: str) -> Response:
    found = ops.feed_for_token(token)
    if found is None or found.feed[0] != "person":
        abort(404)
    user_id, today = found.feed[1], now_utc().date()

    def build() -> bytes:
        return feeds.person_feed(db.session.get(User, user_id) or abort(404), today)

    return calendar_response(found, today, partial(validators.person, user_id, today), build)


@bp.get("/team/<token>.ics")
@_limit_wrong_addresses
def team_feed(token: str) -> Response:
    found = ops.feed_for_token(token)
    if found is None or found.feed[0] != "team":
        abort(404)
    team_id, today = found.feed[1], now_utc().date()

    def build() -> bytes:
        return feeds.team_feed(db.session.get(Team, team_id) or abort(404), today)

    return calendar_response(found, today, partial(validators.team, team_id, today), build)


def calendar_response(
    found: ops.FeedLookup, today: date, validate: Callable[[], str], build: Callable[[], bytes]
) -> Response:
    """200 with a strong ETag (the validator: same validator, same bytes), or 304 when the
    client holds it, without building the feed, and without taking the validator again while
    the feed clock has not ticked (mdt.calendar.feed_cache). No Last-Modified: after a
    deletion it would have to go backwards.

    If-None-Match is compared weakly (RFC 9110 13.1.2): a proxy that compresses responses
    weakens their ETags, W/"...", and its clients must still get 304s. Gzip is offered when
    the client accepts it; the ETag then names the encoding, since the bytes differ."""
    gzip = request.accept_encodings.quality("gzip") > 0
    validator: str | None = feed_cache.current(found.feed, today, found.clock, validate)
    if request.if_none_match.contains_weak(_etag(validator, gzip)):
        response = Response(status=304)
    else:
        body, validator = feed_cache.body_for(found.feed, validator, validate, build)
        response = Response(content_type="text/calendar; charset=utf-8")
        if gzip:
            response.set_data(feed_cache.gzipped(found.feed, validator, body))
            response.headers["Content-Encoding"] = "gzip"
        else:
            response.set_data(body)
        response.headers["Content-Disposition"] = 'inline; filename="mdt-calendar.ics"'
    if validator is not None:
        response.set_etag(_etag(validator, gzip))
    response.vary.add("Accept-Encoding")
    # The address is a secret: no shared cache may keep it; clients revalidate each time.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _etag(validator: str | None, gzip: bool) -> str:
    if validator is None:
        return ""
    return f"{validator}-gzip" if gzip else validator


# --- the calendar page ---------------------------------------------------------------------


@bp.get("")
@login_required
def index() -> str:
    form = DeliveryForm(meeting_delivery=ops.chosen_delivery(current_user).value)
    return _render_index(form)


def _render_index(form: DeliveryForm) -> str:
    return render_template(
        "calendar/index.html",
        form=form,
        feed=ops.person_feed(signed_in_user()),
        delivery=ops.deliveries([current_user.id])[current_user.id],
        chosen=ops.chosen_delivery(signed_in_user()),
        upcoming=delivery.count_upcoming(signed_in_user(), now_utc()),
        team_rows=[(t, ops.team_feed(t)) for t in _managed_teams()],
        button=EmptyForm(),
        title="Calendar",
    )


def _managed_teams() -> list[Team]:
    query = sa.select(Team).order_by(Team.name)
    if not current_user.is_admin:
        query = query.join(Membership).where(
            Membership.user_id == current_user.id, Membership.role == TeamRole.COORDINATOR
        )
    return list(db.session.scalars(query))


@bp.post("/preference")
@login_required
def preference() -> str | Response:
    form = DeliveryForm()
    if not form.validate_on_submit():
        return _render_index(form)
    chosen = MeetingDelivery(form.meeting_delivery.data)  # type: ignore[arg-type]
    sent = delivery.choose(signed_in_user(), chosen, now_utc())
    db.session.commit()
    flash("Your choice is saved." + _brought_into_line(sent))
    return redirect(url_for("calendar.index"))


def _brought_into_line(sent: int) -> str:
    if not sent:
        return ""
    meetings = "meeting" if sent == 1 else "meetings"
    return (
        f" An email about each of {sent} upcoming {meetings} brings the email calendar into line."
    )


# --- feed links ----------------------------------------------------------------------------


def get_person_or_403(user_id: int) -> User:
    """Your own feed, or anyone's for an administrator."""
    if user_id != current_user.id and not current_user.is_admin:
        abort(403)
    return db.session.get(User, user_id) or abort(404)


def _back(person: User | None = None) -> Response:
    if person is not None and person.id != current_user.id:
        return redirect(url_for("calendar.people"))
    return redirect(url_for("calendar.index"))


@bp.post("/people/<int:user_id>/link")
@login_required
def new_person_link(user_id: int) -> str | Response:
    person = get_person_or_403(user_id)
    if not EmptyForm().validate_on_submit():
        flash(EXPIRED)
        return _back(person)
    token, sent = delivery.make_link(person, signed_in_user(), now_utc())
    db.session.commit()
    if sent:
        flash(_brought_into_line(sent).strip())
    https, webcal = ops.feed_urls("calendar.person_feed", token)
    return render_template(
        "calendar/new_link.html",
        person=person,
        team=None,
        https=https,
        webcal=webcal,
        title="Your calendar link" if person.id == current_user.id else "Calendar link",
    )


@bp.post("/people/<int:user_id>/link/revoke")
@login_required
def revoke_person_link(user_id: int) -> Response:
    person = get_person_or_403(user_id)
    if not EmptyForm().validate_on_submit():
        flash(EXPIRED)
    else:
        stopped, sent = delivery.stop_link(person, now_utc())
        if stopped:
            db.session.commit()
            flash(f"The calendar link of {person.name} no longer works." + _brought_into_line(sent))
    return _back(person)


@bp.post("/teams/<int:team_id>/link")
@login_required
def new_team_link(team_id: int) -> str | Response:
    team = get_team_or_404(team_id, manage=True)
    if not EmptyForm().validate_on_submit():
        flash(EXPIRED)
        return redirect(url_for("calendar.index"))
    token = ops.issue_team_link(team, signed_in_user())
    db.session.commit()
    https, webcal = ops.feed_urls("calendar.team_feed", token)
    return render_template(
        "calendar/new_link.html",
        person=None,
        team=team,
        https=https,
        webcal=webcal,
        title=f"{team.name}: shared calendar link",
    )


@bp.post("/teams/<int:team_id>/link/revoke")
@login_required
def revoke_team_link(team_id: int) -> Response:
    team = get_team_or_404(team_id, manage=True)
    if not EmptyForm().validate_on_submit():
        flash(EXPIRED)
    elif ops.revoke_team_link(team):
        db.session.commit()
        flash(f"The shared calendar link of {team.name} no longer works.")
    return redirect(url_for("calendar.index"))


@bp.get("/people")
@admin_required
def people() -> str:
    rows = db.session.scalars(
        sa.select(CalendarFeed).join(User, User.id == CalendarFeed.user_id).order_by(User.name)
    ).all()
    return render_template(
        "calendar/people.html",
        feeds=rows,
        left_out=ops.left_out_of_feeds(Window.around(now_utc().date()).years),
        button=EmptyForm(),
        title="People's calendar links",
    )

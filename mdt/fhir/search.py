"""Search parameters and searchset Bundles with paging links (`_count`, `_page`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import request
from sqlalchemy.orm import InstrumentedAttribute

from mdt.extensions import db
from mdt.fhir.errors import FhirError, digits
from mdt.fhir.profiles import api_url, profile

DEFAULT_COUNT, MAX_COUNT = 20, 100
_PREFIXES = ("eq", "ge", "le", "gt", "lt")
_DAY = timedelta(days=1)


def bad_parameter(name: str, why: str) -> FhirError:
    return FhirError(400, "invalid", f"The search parameter {name}: {why}")


def known_parameters(allowed: Sequence[str]) -> None:
    """Unknown parameters are refused rather than ignored: a client must not think it got
    a filtered list when it did not."""
    for name in request.args:
        if name not in allowed and name not in ("_count", "_page", "_format"):
            raise bad_parameter(name, "not supported here (see the CapabilityStatement)")


def positive_int(name: str, default: int, most: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not digits(raw, 6) or int(raw) < 1:
        raise bad_parameter(name, "give a whole number from 1")
    return min(int(raw), most) if most else int(raw)


def _moment(name: str, text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise bad_parameter(name, "give a date like 2027-01-12 or 2027-01-12T12:30:00Z") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def date_filters(name: str, column: Any) -> list[Any]:
    """`date=ge2027-01-01&date=lt2027-02-01`: each value a prefix and a date or instant."""
    filters = []
    for raw in request.args.getlist(name):
        prefix, text = ("eq", raw) if raw[:2] not in _PREFIXES else (raw[:2], raw[2:])
        moment = _moment(name, text)
        if prefix == "eq" and len(text) == 10:  # a whole day
            filters += [column >= moment, column < moment + _DAY]
        else:
            filters.append(
                {
                    "eq": column == moment,
                    "ge": column >= moment,
                    "gt": column > moment,
                    "le": column <= moment,
                    "lt": column < moment,
                }[prefix]
            )
    return filters


def reference_id(name: str, resource: str) -> int | None:
    """`Patient/12` or `12` as an int; None when the parameter is absent."""
    raw = request.args.get(name)
    if raw is None:
        return None
    text = raw.removeprefix(f"{resource}/")
    if not digits(text, 12):
        raise bad_parameter(name, f"give {resource}/<id>")
    return int(text)


def bundle(
    query: sa.Select[Any],
    order: Sequence[InstrumentedAttribute[Any]],
    to_resource: Callable[[Any], dict[str, Any]],
    loaded: Callable[[list[Any]], None] | None = None,
) -> dict[str, Any]:
    """One page of the query's rows as a searchset Bundle, with total and links."""
    count = positive_int("_count", DEFAULT_COUNT, MAX_COUNT)
    page = positive_int("_page", 1)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = list(db.session.scalars(query.order_by(*order).limit(count).offset((page - 1) * count)))
    if loaded is not None:
        loaded(rows)
    resources = [to_resource(row) for row in rows]
    return _searchset(resources, total, page, count)


def list_bundle(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """A searchset Bundle of resources made in memory (the slots a rule gives), paged as
    `bundle` pages a query."""
    count = positive_int("_count", DEFAULT_COUNT, MAX_COUNT)
    page = positive_int("_page", 1)
    shown = resources[(page - 1) * count : page * count]
    return _searchset(shown, len(resources), page, count)


def _searchset(shown: list[dict[str, Any]], total: int, page: int, count: int) -> dict[str, Any]:
    """One page of a search's resources as a searchset Bundle, with total and links."""
    links = [_link("self", page, count)]
    if page > 1:
        links.append(_link("previous", page - 1, count))
    if page * count < total:
        links.append(_link("next", page + 1, count))
    return without_empty_entry(
        {
            "resourceType": "Bundle",
            "meta": {"profile": [profile("Bundle")]},
            "type": "searchset",
            "total": total,
            "link": links,
            "entry": [
                {
                    "fullUrl": api_url(f"{r['resourceType']}/{r['id']}"),
                    "resource": r,
                    "search": {"mode": "match"},
                }
                for r in shown
            ],
        }
    )


def without_empty_entry(body: dict[str, Any]) -> dict[str, Any]:
    """FHIR has no empty lists: a page with no matches has no `entry`."""
    if not body.get("entry"):
        body.pop("entry", None)
    return body


def _link(relation: str, page: int, count: int) -> dict[str, str]:
    params = [(k, v) for k, v in request.args.items(multi=True) if k not in ("_page", "_count")]
    params += [("_count", str(count)), ("_page", str(page))]
    path = request.path.removeprefix("/fhir/R4")
    return {"relation": relation, "url": f"{api_url(path)}?{urlencode(params)}"}

"""The forms on a page as a browser sees them, and a crawl that finds every one: for the
tests that render every page and post every form with hostile or generated values
(tests/core/test_escaping.py, tests/core/test_fuzz_forms.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask
from flask.testing import FlaskClient

from tests.test_route_inventory import INVENTORY, OK, ROLES

#: Hidden inputs that are kept as the page wrote them (the rest of a form is filled in).
KEPT = {"csrf_token", "revision"}


@dataclass
class PageForm:
    """One <form>: where it goes, its hidden values, and its fields by name and kind."""

    method: str
    action: str
    hidden: dict[str, str] = field(default_factory=dict)
    #: name -> the input's type ("text", "date", "number", "select", "textarea", ...).
    fields: dict[str, str] = field(default_factory=dict)
    #: name -> the values a select, radio, checkbox or named button offers.
    options: dict[str, list[str]] = field(default_factory=dict)
    #: The dates typed in the NHS.UK date input: each is one field of kind "date" here,
    #: posted as its three boxes (see date_boxes).
    dates: set[str] = field(default_factory=set)

    def key(self, app: Flask) -> tuple[str, str, tuple[str, ...]]:
        """The endpoint and the fields: forms on many rows of a page count once."""
        return (self.method, endpoint_of(app, self.method, self.action), tuple(sorted(self.fields)))

    def post(self, client: FlaskClient, values: dict[str, object]) -> Any:
        data = {**self.hidden, **values}
        for name in self.dates & data.keys():
            data.update(date_boxes(name, data.pop(name)))
        if self.method == "GET":
            return client.get(f"{self.action}?{urlencode(data, doseq=True)}")
        return client.post(self.action, data=data)


def date_boxes(name: str, value: object) -> dict[str, object]:
    """A date input's value as a browser posts it: year-month-day (2027-01-12, an impossible
    2026-02-30, or with a part left out: 2027--12) split into the three boxes; anything else
    in each box."""
    found = re.fullmatch(r"([^-]*)-([^-]*)-([^-]*)", value) if isinstance(value, str) else None
    year, month, day = found.groups() if found else (value, value, value)
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


class _Forms(HTMLParser):
    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[PageForm] = []
        self.current: PageForm | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = a.get("action") or self.page_path
            self.current = PageForm(a.get("method", "get").upper(), action)
            return
        form = self.current
        if form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if "nhsuk-date-input__input" in a.get("class", ""):
                date = name.rsplit("-", 1)[0]  # <name>-day, -month, -year
                form.fields[date] = "date"
                form.dates.add(date)
            elif kind == "hidden":
                form.hidden[name] = a.get("value", "")
            elif kind in ("radio", "checkbox"):
                form.fields[name] = kind
                form.options.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "button"):
                form.fields[name] = kind
        elif tag == "button" and a.get("type", "submit") == "submit":
            form.fields[name] = "button"  # the clicked one is sent: preview or save, say
            form.options.setdefault(name, []).append(a.get("value", ""))
        elif tag == "textarea":
            form.fields[name] = "textarea"
        elif tag == "select":
            form.fields[name] = "select"
            form.options.setdefault(name, [])
            self.select = name

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.current is not None:
            self.forms.append(self.current)
            self.current = None
        elif tag == "select":
            self.select = None


class _Options(HTMLParser):
    """The option values of each select (a second pass: options carry no name)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.select: str | None = None
        self.options: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select:
            self.options.setdefault(self.select, []).append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None


def forms_on(html: str, page_path: str) -> list[PageForm]:
    parser = _Forms(page_path)
    parser.feed(html)
    options = _Options()
    options.feed(html)
    for form in parser.forms:
        for name, kind in form.fields.items():
            if kind == "select":
                form.options[name] = options.options.get(name, [])
    return parser.forms


def endpoint_of(app: Flask, method: str, path: str) -> str:
    adapter = app.url_map.bind("mdt.test")
    try:
        endpoint, _ = adapter.match(urlsplit(path).path, method=method)
    except Exception:  # noqa: BLE001 - a link elsewhere: not one of ours
        return ""
    return endpoint


def allowed_role(route_expect: dict[str, str], roles: tuple[str, ...] = ROLES) -> Iterator[str]:
    return (role for role in roles if route_expect[role] == OK)


@dataclass
class Crawl:
    """Every page of the route inventory fetched as each role that may see it, and the forms
    found on them (a form once per endpoint and set of fields, with the role that saw it)."""

    pages: list[tuple[str, str, Any]] = field(default_factory=list)
    forms: dict[tuple[str, str, tuple[str, ...]], tuple[str, PageForm]] = field(
        default_factory=dict
    )


def crawl(
    app: Flask,
    clients: dict[str, FlaskClient],
    ids: dict[str, object],
    check: Callable[[str, str, Any], None] | None = None,
) -> Crawl:
    found = Crawl()
    for route in INVENTORY.values():
        if route.method != "GET":
            continue
        path = route.path.format(**ids)
        for role in allowed_role(route.expect):
            if role not in clients:
                continue
            response = clients[role].get(path)
            found.pages.append((role, path, response))
            if check:
                check(role, path, response)
            if response.mimetype != "text/html":
                continue
            for form in forms_on(response.get_data(as_text=True), path):
                if endpoint_of(app, form.method, form.action) in ("", "accounts.logout"):
                    continue
                found.forms.setdefault(form.key(app), (role, form))
    return found

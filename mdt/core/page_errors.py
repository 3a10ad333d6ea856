"""Whether a page shows an error, for its title: NHS.UK pages that show errors have a title
starting "Error: ", so that a screen reader says so first (templates/base.html writes it).

A page shows errors when it is an HTTP error page, when a form it is given has errors, or when
its view hands it a refusal for its error summary (a conflicting edit, a rule that refused the
save). Decided from the template's context just before it is rendered, once for every page,
rather than by each template.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, before_render_template
from jinja2 import Template
from wtforms import Form

#: What views name the refusals they give a page for its error summary.
REFUSALS = ("problem", "problems", "action_problem", "conflict_id")


def _forms_in(value: Any) -> list[Form]:
    """A form given to the page, or the forms of a list or mapping of them (one per row)."""
    if isinstance(value, Form):
        return [value]
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, Form)]
    return []


def shows_errors(template_name: str, context: Mapping[str, Any]) -> bool:
    if template_name.startswith("errors/"):
        return True
    if any(context.get(name) for name in REFUSALS):
        return True
    # Lists of records (My prep, My actions) always carry the conflict message and name the
    # record it is about in conflict_id; other pages pass `conflict` only when there is one.
    if context.get("conflict") and "conflict_id" not in context:
        return True
    return any(form.errors for value in context.values() for form in _forms_in(value))


def _mark(_app: Flask, template: Template, context: dict[str, Any], **_extra: Any) -> None:
    context["page_has_errors"] = shows_errors(template.name or "", context)


def init_app(app: Flask) -> None:
    before_render_template.connect(_mark, app)

"""The templates keep a shape a reader can follow: lines that fit on a screen, partials that
say what they take, and escaping that nothing turns off."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
MAX_LINE = 120
#: A `{% set %}` ending just before an `{% include %}`, on its line or the line above.
SET_THEN_INCLUDE = re.compile(r"{%-?\s*set\b[^%]*-?%}\s*{%-?\s*include\b")


def template_files() -> list[Path]:
    return sorted(path for path in TEMPLATES.rglob("*") if path.is_file())


def names(paths: list[Path]) -> list[str]:
    return [path.relative_to(TEMPLATES).as_posix() for path in paths]


def test_there_are_templates_to_check() -> None:
    assert len([name for name in names(template_files()) if name.endswith(".html")]) > 50


def test_no_line_is_over_120_characters() -> None:
    long = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in template_files()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if len(line) > MAX_LINE
    ]
    assert not long


def test_no_include_depends_on_a_set_just_before_it() -> None:
    # What a partial needs from its caller is a macro's parameter, not a variable set for it.
    implicit = [
        str(path.relative_to(ROOT))
        for path in template_files()
        if SET_THEN_INCLUDE.search(path.read_text())
    ]
    assert not implicit


def test_the_check_finds_a_set_before_an_include() -> None:
    assert SET_THEN_INCLUDE.search('{% set form = recurring %}{% include "slots/_fields.html" %}')
    assert SET_THEN_INCLUDE.search('{%- set form = f -%}\n  {% include "x.html" %}')
    assert not SET_THEN_INCLUDE.search(
        '{% set form = f %}\n<p>{{ form }}</p>{% include "x.html" %}'
    )


def test_every_html_template_is_escaped(app: Flask) -> None:
    html = [name for name in names(template_files()) if name.endswith(".html")]
    assert len(html) > 50
    # The switch a template runs with: what its {{ }} consult as it writes (and it compiles).
    unescaped = [
        name
        for name in html
        if not app.jinja_env.get_template(name).new_context().eval_ctx.autoescape
    ]
    assert not unescaped


def test_plain_text_emails_are_not_escaped(app: Flask) -> None:
    text = [name for name in names(template_files()) if name.endswith(".txt")]
    assert text
    assert not any(
        app.jinja_env.get_template(name).new_context().eval_ctx.autoescape for name in text
    )

import pytest

from tests.conftest import login


def test_every_page_sends_the_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_signed_in_pages_are_not_cached(client, make):
    login(client, make.user().email)
    assert client.get("/dashboard").headers["Cache-Control"] == "no-store"


def test_not_found_page_is_in_the_service_style(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text and "nhsuk-header" in response.text


def test_a_crash_shows_a_plain_500_page_without_a_stack_trace(app, client, caplog):
    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom", "boom", boom)
    response = client.get("/boom")
    assert response.status_code == 500
    assert "there is a problem with the service" in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert "secret internals" in caplog.text  # but the operators can see it in the log


def test_static_nhsuk_frontend_is_vendored_with_its_version(client):
    from mdt import ROOT

    version = (ROOT / "mdt/static/nhsuk/VERSION").read_text().strip()
    assert version == "10.6.1"
    response = client.get("/static/nhsuk/nhsuk-frontend.min.css")
    assert response.status_code == 200
    response.close()


def test_a_link_built_once_for_a_list_is_url_for_of_each_row(app):
    from flask import url_for

    from mdt.core.web import url_for_rows

    with app.test_request_context("/prep", base_url="http://mdt.example.org/sub"):
        handover = url_for_rows("prep.handover", request_id="{id}")
        prepare = url_for_rows("prep.mine", prepare="{id}", _anchor="request-{id}")
        for row_id in (1, 7, 42, 987654321, 10**12):
            assert handover[row_id] == url_for("prep.handover", request_id=row_id)
            assert prepare[row_id] == url_for(
                "prep.mine", prepare=row_id, _anchor=f"request-{row_id}"
            )
        assert handover[5] == "/sub/prep/5/handover"
        with pytest.raises(ValueError):
            url_for_rows("prep.mine")


def test_an_external_link_to_a_row_is_the_one_the_adapter_builds(app):
    from mdt.core.web import _external_adapter, external_row_link, external_url

    for base_url in ("https://mdt.example.org/sub", "https://mdt.example.org/987654321"):
        app.config["BASE_URL"] = base_url
        with app.app_context():
            adapter = _external_adapter()
            for row_id in (1, 42, 987654321, 10**12):
                assert external_url("actions.detail", action_id=row_id) == adapter.build(
                    "actions.detail", {"action_id": row_id}, force_external=True
                )
            assert external_url("actions.detail", action_id=5) == f"{base_url}/actions/5"
            link = external_row_link("actions.detail", "action_id")
        assert link(6) == f"{base_url}/actions/6", "outside the app context too"


def _failing_pages(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*_args, **_kwargs):
        raise RuntimeError("the error page broke")

    monkeypatch.setattr("mdt.core.web.render_template", broken)


def test_when_the_500_page_itself_fails_a_plain_page_is_sent_and_logged(
    app, client, caplog, monkeypatch
):
    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom/<token>", "boom", boom)
    _failing_pages(monkeypatch)
    response = client.get("/boom/a-secret-token")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert "unhandled error on GET /boom/<token>" in caplog.text  # the route, not the token
    assert "a-secret-token" not in caplog.text
    assert "the error page for 500 failed" in caplog.text


def test_when_the_not_found_page_fails_a_plain_page_keeps_its_status(client, monkeypatch):
    _failing_pages(monkeypatch)
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "<h1>" in response.text


def test_an_error_from_the_database_still_gets_the_service_page(app, client, make):
    import sqlalchemy as sa

    from mdt.extensions import db

    def broken_statement():
        db.session.execute(sa.text("SELECT no_such_column FROM team"))

    app.add_url_rule("/broken-statement", "broken_statement", broken_statement)
    login(client, make.user(name="Ann Alpha").email)
    response = client.get("/broken-statement")
    assert response.status_code == 500
    assert "nhsuk-header" in response.text and "Ann Alpha" in response.text


def test_healthz_reports_each_registered_check_and_a_failing_one_makes_the_app_unhealthy(
    app, client
):
    from mdt.core.web import add_health_check

    add_health_check(app, "search index", lambda: "ok")
    body = client.get("/healthz").json
    assert body["search index"] == "ok" and body["scheduler"] == "never"  # registered at start

    def broken() -> str:
        raise ConnectionError("no index")

    add_health_check(app, "search index", broken)
    response = client.get("/healthz")
    assert (response.status_code, response.json["status"]) == (503, "error")

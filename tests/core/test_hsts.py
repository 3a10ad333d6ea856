"""Strict-Transport-Security when the app is reached over https (its BASE_URL)."""

from mdt import create_app
from mdt.extensions import db
from tests.conftest import test_config


def test_an_https_base_url_sends_hsts_for_a_year_on_every_response(database_url, tmp_path):
    app = create_app(test_config(database_url, tmp_path) | {"BASE_URL": "https://mdt.nhs.test"})
    client = app.test_client()
    for path in ("/login", "/no/such/page", "/healthz"):
        hsts = client.get(path, base_url="https://mdt.nhs.test").headers[
            "Strict-Transport-Security"
        ]
        max_age = int(hsts.split(";")[0].removeprefix("max-age="))
        assert max_age >= 365 * 24 * 3600
        assert "includeSubDomains" in hsts
    db.state(app).engine.dispose()


def test_plain_http_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers

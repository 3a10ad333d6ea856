def test_health_endpoint_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    # No scheduler has run against the test database: reported, but still healthy (200).
    assert response.json == {"status": "ok", "database": "ok", "scheduler": "never"}


def test_login_page_renders_in_nhs_style(client):
    page = client.get("/login").get_data(as_text=True)
    assert "nhsuk-header" in page
    assert 'name="csrf_token"' in page

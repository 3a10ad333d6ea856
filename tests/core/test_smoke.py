def test_health_endpoint_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_login_page_renders_in_nhs_style(client):
    page = client.get("/login").get_data(as_text=True)
    assert "nhsuk-header" in page
    assert 'name="csrf_token"' in page

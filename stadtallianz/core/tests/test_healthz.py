import pytest
from django.db import connection


@pytest.mark.django_db
def test_healthz_reports_a_reachable_database(client):
    """Load balancers see 200 and the database named as ok."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["status"] == "ok"

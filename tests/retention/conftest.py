import pytest

from tests.retention.support import Clinic


@pytest.fixture
def clinic(make, session):  # type: ignore[no-untyped-def]
    return Clinic(make, session)

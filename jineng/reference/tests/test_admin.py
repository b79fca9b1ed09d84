import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from jineng.identity.testing import otp_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_zh(client: Client) -> Client:
    user = get_user_model().objects.create_superuser(
        username="refadmin", password="a-long-password-123", email="r@example.cn"
    )
    otp_login(client, user)  # administrators pass the TOTP step
    return client


@pytest.mark.parametrize(
    ("model", "query", "expected"),
    [
        ("region", "?q=东莞", "441900"),
        ("occupation", "?q=车工", "6-18-01-01"),
        ("occupationcategory", "?level__exact=major", "6-00-00-00"),
        ("shortageoccupation", "?year=2024", "6-18-01-01"),
    ],
)
def test_changelists_search_and_filter(
    admin_client_zh: Client, model: str, query: str, expected: str
) -> None:
    response = admin_client_zh.get(reverse(f"admin:reference_{model}_changelist") + query)
    assert response.status_code == 200
    assert expected in response.content.decode()


@pytest.mark.parametrize("model", ["region", "occupation", "shortageoccupation"])
def test_reference_data_cannot_be_added_in_the_admin(admin_client_zh: Client, model: str) -> None:
    assert admin_client_zh.get(reverse(f"admin:reference_{model}_add")).status_code == 403


def test_regions_are_read_only(admin_client_zh: Client) -> None:
    assert admin_client_zh.get(reverse("admin:reference_region_add")).status_code == 403
    response = admin_client_zh.post(
        reverse("admin:reference_region_change", args=["441900"]),
        {"name": "改名", "level": "city"},
    )
    assert response.status_code == 403

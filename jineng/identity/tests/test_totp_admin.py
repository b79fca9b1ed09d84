"""The admin never shows a TOTP key: it is shown once, at enrolment, to the account holder."""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from jineng.identity.models import Role
from jineng.identity.testing import make_user, otp_login

pytestmark = pytest.mark.django_db

DEVICES = "/admin/otp_totp/totpdevice/"


def test_the_device_pages_never_show_the_key() -> None:
    client = Client()
    otp_login(client, make_user(Role.SYSADMIN, username="root"))
    officer = make_user(Role.BUREAU_REVIEWER, username="officer")
    device = otp_login(Client(), officer)
    assert isinstance(device, TOTPDevice)
    for path in (DEVICES, f"{DEVICES}{device.pk}/change/", f"{DEVICES}add/"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        body = resp.content.decode()
        assert device.key not in body, path
        assert 'name="key"' not in body, path
    assert "已设置" in client.get(f"{DEVICES}{device.pk}/change/").content.decode()
    # the configuration page and the QR code carry the key: refused
    assert client.get(f"{DEVICES}{device.pk}/config/").status_code == 403
    assert client.get(f"{DEVICES}{device.pk}/qrcode/").status_code == 403

"""Demo and development run with DEBUG off unless asked for: an unknown URL gets the Chinese 404
page, never Django's English debug page with the URL patterns."""

import os
import subprocess
import sys

import pytest
from django.test import Client


def _debug_with(env: dict[str, str]) -> str:
    code = "import config.django.base as b; print(b.DEBUG)"
    clean = {k: v for k, v in os.environ.items() if k not in {"JINENG_DEBUG"}}
    out = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True
    )
    return out.stdout.strip()


def test_debug_is_off_by_default_and_on_only_when_asked() -> None:
    assert _debug_with({}) == "False"
    assert _debug_with({"JINENG_DEBUG": "1"}) == "True"


@pytest.mark.django_db
def test_unknown_url_shows_the_chinese_404(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在" in text
    assert "URLconf" not in text and "Page not found" not in text

"""Content-Security-Policy: scripts and styles only from our own files, and templates that need
nothing else (no inline script, no event-handler attributes, no style attributes)."""

import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=", re.I)
JS_URL = re.compile(r"href\s*=\s*[\"']javascript:", re.I)


def _templates() -> list[Path]:
    return sorted(p for p in ROOT.rglob("templates/**/*.html") if "/.venv/" not in str(p))


def test_there_are_templates_to_check() -> None:
    assert len(_templates()) > 20


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_no_inline_script_or_style(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for pattern in (INLINE_SCRIPT, HANDLER, STYLE_ATTR, JS_URL):
        assert not pattern.search(text), f"{path.name}: {pattern.pattern}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/api/v1/openapi.json", "/no-such-page/"])
def test_responses_carry_the_policy(client: Client, url: str) -> None:
    response = client.get(url)
    policy = response.headers["Content-Security-Policy"]
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in policy.split(";")) if part
    )
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy

"""ChineseFirstLocaleMiddleware, as it would run in place of Django's LocaleMiddleware."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from config.django import base

MIDDLEWARE = [
    "jineng.web.middleware.ChineseFirstLocaleMiddleware"
    if m == "django.middleware.locale.LocaleMiddleware"
    else m
    for m in base.MIDDLEWARE
]

pytestmark = pytest.mark.django_db


@override_settings(MIDDLEWARE=MIDDLEWARE)
def test_an_english_browser_still_gets_chinese() -> None:
    body = Client(headers={"accept-language": "en-US,en;q=0.9"}).get("/login/").content.decode()
    assert '<html lang="zh-Hans">' in body


@override_settings(MIDDLEWARE=MIDDLEWARE)
def test_the_language_switch_still_chooses_english() -> None:
    client = Client(headers={"accept-language": "zh-CN"})
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert '<html lang="en">' in client.get("/login/").content.decode()


@override_settings(MIDDLEWARE=MIDDLEWARE)
def test_an_unknown_cookie_falls_back_to_chinese() -> None:
    client = Client()
    client.cookies["django_language"] = "xx"
    assert '<html lang="zh-Hans">' in client.get("/login/").content.decode()

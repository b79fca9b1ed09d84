"""Chinese first: the pages are in Chinese unless the user picked another language with the
switch in the header (Django's language cookie). Django's LocaleMiddleware would otherwise follow
the browser's Accept-Language, so an officer whose browser is set to English would get English
pages without asking. To use it, replace `django.middleware.locale.LocaleMiddleware` with
`jineng.web.middleware.ChineseFirstLocaleMiddleware` in MIDDLEWARE."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else ""
        except LookupError:
            language = ""
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()

"""Lean routes: a few hot, cookie-free JSON operations answered past most of the middleware.

`LeanRoutesMiddleware` sits right after SecurityMiddleware and WhiteNoise in MIDDLEWARE; for a path
listed in the setting `LEAN_ROUTES` (path → view) it calls the view through `LEAN_MIDDLEWARE` only —
the Chinese locale and the security headers (X-Frame-Options, Content-Security-Policy; HSTS,
nosniff, referrer policy and the HTTPS redirect come from SecurityMiddleware before it). Sessions,
CSRF, authentication, OTP, messages and axes are skipped: a lean route reads no cookie and signs
nobody in, and takes JSON only (which a cross-site HTML form cannot send). Every other request goes
on down the full stack. The routes: the stream-token heartbeats (jineng/api/learning/lean.py) and
public certificate verification (jineng/api/certificates/lean.py); each is also a documented API
operation with the same answer, served by the API should the middleware be absent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.module_loading import import_string

# Outermost first, as in MIDDLEWARE: what a lean route's answer still goes through.
LEAN_MIDDLEWARE = [
    "jineng.web.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

View = Callable[[HttpRequest], HttpResponse]


def refused(status: int, field: str, message: str) -> JsonResponse:
    """The API's error body (`detail`, and `field`/`errors` when a field is named)."""
    body: dict[str, Any] = {"detail": message}
    if field:
        body["field"] = field
        body["errors"] = [{"field": field, "message": message}]
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _lean_chain(view: View) -> View:
    handler = view
    for path in reversed(LEAN_MIDDLEWARE):
        handler = import_string(path)(handler)
    return handler


class LeanRoutesMiddleware:
    """Answers the lean routes (path → view, `LEAN_ROUTES` setting) through `LEAN_MIDDLEWARE`
    only; every other request goes on down the full stack."""

    def __init__(self, get_response: View) -> None:
        self.get_response = get_response
        routes: dict[str, str] = getattr(settings, "LEAN_ROUTES", {})
        self.routes = {path: _lean_chain(import_string(view)) for path, view in routes.items()}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        lean = self.routes.get(request.path_info)
        if lean is None:
            return self.get_response(request)
        return lean(request)

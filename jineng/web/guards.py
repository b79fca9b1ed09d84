"""Who may open a page. Pages check the role here and then read only through the access helpers
of `jineng.identity.access`, which scope every row by organisation and region."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.cache import add_never_cache_headers

from jineng.identity.middleware import OTP_VERIFY_PATH
from jineng.identity.models import User
from jineng.identity.otp import requires_second_factor
from jineng.web.nav import user_roles

View = Callable[..., HttpResponse]

# The identity app's second log-in step (TOTP) for bureau staff and administrators.
OTP_LOGIN_PATH = OTP_VERIFY_PATH


def needs_second_factor(request: HttpRequest) -> bool:
    """True when the account must use TOTP and this session has not passed the TOTP step.
    (The identity app's RequireOTPMiddleware redirects such sessions first; pages check again so
    that none depends on the middleware order.)"""
    is_verified = getattr(request.user, "is_verified", None)
    if callable(is_verified) and is_verified():
        return False
    return requires_second_factor(request.user)


def otp_redirect(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{OTP_LOGIN_PATH}?{urlencode({'next': request.get_full_path()})}")


def page(roles: Iterable[str] | None = None) -> Callable[[View], View]:
    """Log-in required (with the second factor for TOTP roles); if `roles` is given, the account
    must hold one of them or the page answers 403. Pages show personal data, so never cached."""
    allowed = frozenset(roles) if roles is not None else None

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if needs_second_factor(request):
                return otp_redirect(request)
            if allowed is not None and not user_roles(request) & allowed:
                raise PermissionDenied
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response

        return wrapped

    return decorator


def signed_in_user(request: HttpRequest) -> User:
    """The request's account, for a view behind `page()` (which has let only signed-in users in)."""
    assert isinstance(request.user, User)
    return request.user

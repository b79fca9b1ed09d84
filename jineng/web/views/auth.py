"""Log-in, log-out and the home page that sends each role to its own start page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jineng.identity.models import ORG_ROLES, Role
from jineng.identity.roles import CONSOLE_ROLES
from jineng.web.guards import needs_second_factor, otp_redirect
from jineng.web.nav import user_roles


class LoginView(auth_views.LoginView):
    """Username and password. Bureau staff and administrators continue to the identity app's TOTP
    step: every page sends a session without it there (see `guards.page`)."""

    template_name = "web/login.html"

    def form_invalid(self, form: Any) -> HttpResponse:
        if getattr(self.request, "axes_locked_out", False):
            # Answer with our own page instead of django-axes' English one; the lock itself stays.
            self.request.axes_locked_out = False  # type: ignore[attr-defined]
            form.errors.clear()
            form.add_error(None, _("登录失败次数过多，账号已被锁定，请30分钟后再试。"))
            return self.render_to_response(self.get_context_data(form=form), status=403)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    next_page = "web:login"


def home(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors see the landing page; everyone else goes to their role's start page."""
    if not request.user.is_authenticated:
        return render(request, "web/home.html")
    if needs_second_factor(request):
        return otp_redirect(request)
    roles = user_roles(request)
    target: HttpResponseRedirect | None = None
    if roles & CONSOLE_ROLES:
        target = redirect("web:console")
    elif roles & ORG_ROLES:
        target = redirect("web:org_people")
    elif Role.WORKER in roles:
        target = redirect("web:me")
    if target is not None:
        return target
    return render(request, "web/home.html", {"no_role": True})

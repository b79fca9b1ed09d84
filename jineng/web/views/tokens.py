"""我的登录令牌: the signed-in account's API tokens that still work, each with a revoke button.

Only the account's own tokens are listed or revocable (`access_api_token_by_id`: anyone else's
token id, a spent one and a malformed id all answer 404). The page shows when a token was issued,
last used and expires, and its name if one was given — never the token, its prefix or its hash.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jineng.api.models import RevokeReason
from jineng.api.services import access_api_token_by_id, api_token_revoke, api_tokens_active
from jineng.identity.models import User
from jineng.web.guards import page


@require_http_methods(["GET", "POST"])
@page()
def tokens(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if request.method == "POST":
        token = access_api_token_by_id(user, request.POST.get("token", ""))
        api_token_revoke(actor=user, token=token, reason=RevokeReason.USER)
        messages.success(request, _("已吊销该令牌，使用它的程序需要重新登录。"))
        return HttpResponseRedirect(reverse("web:tokens"))
    context = {"tokens": list(api_tokens_active(user=user))}
    return render(request, "web/tokens.html", context)

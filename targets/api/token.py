"""The API token page: a signed-in user creates, replaces or revokes their own token."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from targets import audit


@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    """GET shows whether the user has a token; POST ``action=create`` makes a new one
    (replacing any old one) and shows its key once; POST ``action=revoke`` deletes it."""
    token = Token.objects.filter(user=request.user).first()
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            if token is not None:
                token.delete()
            token = Token.objects.create(user=request.user)
            new_key = token.key
            audit.record("token_create", request=request, target=request.user.get_username())
        elif action == "revoke" and token is not None:
            token.delete()
            token = None
            audit.record("token_revoke", request=request, target=request.user.get_username())
            messages.success(request, _("令牌已撤销，使用它的程序将无法再访问 API。"))
            return redirect("api_token")
        else:
            return redirect("api_token")
    return render(
        request,
        "targets/api_token.html",
        {"token": token, "new_key": new_key, "hint": token.key[:4] if token else ""},
    )

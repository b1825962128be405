"""Who may go where before sign-in is complete."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

Handler = Callable[[HttpRequest], HttpResponse]


class PasswordChangeRequiredMiddleware:
    """A cabinet with a temporary password (must_change_password) reaches only the
    password-change page and sign-out until the password is changed."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse("password_change"), reverse("logout")}
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                return redirect("password_change")
        return self.get_response(request)


class AdminSignInMiddleware:
    """The back office signs in through the same form (lockout, CAPTCHA, two-factor code)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == reverse("admin:login"):
            target = request.GET.get("next") or reverse("admin:index")
            return redirect(f"{reverse('login')}?{urlencode({'next': target})}")
        return self.get_response(request)

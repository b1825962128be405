
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kabinet.lib.health import health
from kabinet.users.models import User


def index(request: HttpRequest) -> HttpResponse:
    login_url = resolve_url(settings.LOGIN_URL)
    ctx = {"login_url": f"{login_url}?{urlencode({'next': reverse('home')})}"}
    return render(request, "front/index.html", ctx)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitoring, without sign-in: 200, or 503 naming what failed."""
    checks = health()
    healthy = all(result == "ok" for result in checks.values())
    body = {"status": "ok" if healthy else "error", "checks": checks}
    return JsonResponse(body, status=200 if healthy else 503)


def greeting_name(user: User) -> str:
    # Russians are addressed by first name and patronymic; otherwise as the user is shown elsewhere.
    polite = " ".join(part for part in (user.first_name, user.middle_name) if part)
    return polite or str(user)


from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import urlencode

from kabinet.users.models import User


def index(request: HttpRequest) -> HttpResponse:
    login_url = resolve_url(settings.LOGIN_URL)
    ctx = {"login_url": f"{login_url}?{urlencode({'next': reverse('home')})}"}
    return render(request, "front/index.html", ctx)


def greeting_name(user: User) -> str:
    # Russians are addressed by first name and patronymic; otherwise as the user is shown elsewhere.
    polite = " ".join(part for part in (user.first_name, user.middle_name) if part)
    return polite or str(user)

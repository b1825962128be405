from typing import cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import urlencode

from kabinet.front.nav import section_links
from kabinet.users.models import User


def index(request: HttpRequest) -> HttpResponse:
    login_url = resolve_url(settings.LOGIN_URL)
    ctx = {"login_url": f"{login_url}?{urlencode({'next': reverse('home')})}"}
    return render(request, "front/index.html", ctx)


def greeting_name(user: User) -> str:
    # Russians are addressed by first name and patronymic; otherwise as the user is shown elsewhere.
    polite = " ".join(part for part in (user.first_name, user.middle_name) if part)
    return polite or str(user)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    links = [link for link in section_links() if link.url != request.path]
    ctx = {
        "name": greeting_name(cast(User, request.user)),
        "ready": [link for link in links if link.url],
        "coming": [link for link in links if not link.url],
    }
    return render(request, "front/home.html", ctx)

"""Every URL of the site, plus /bench/trivial/: the cheapest signed-in page the stack can serve
(sessions, authentication and every middleware, no template, no query of its own)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site


@login_required
def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial, name="bench_trivial"), *site]

"""The project's URLs plus two sections that later issues will add for real."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def _section(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


urlpatterns = [
    *project_urlpatterns,
    path("requests/", _section, name="requests"),
    path("appeals/", _section, name="appeals"),
]

"""The project's URLs plus a page for a section the project does not have."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def _section(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


urlpatterns = [
    *project_urlpatterns,
    path("ghost/", _section, name="ghost-section"),
]

"""«Настройки → Доступ к API»: personal access tokens and the calendar feed; the docs page; the ICS."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView

from kabinet.api import services
from kabinet.api.forms import TokenForm
from kabinet.api.ics import calendar_for
from kabinet.api.models import ApiToken, CalendarFeed
from kabinet.users.models import User


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar's static files under the site's own CSP: the page
    has no inline script or style (its init script is a separate same-origin request)."""

    template_name = "api/docs.html"

    @extend_schema(exclude=True)
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def api_access(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = TokenForm(request.POST or None)
    shown: dict[str, str] = {}
    status = 200
    if request.method == "POST" and request.POST.get("action") == "calendar":
        _feed, secret = services.calendar_feed_create(user=user)
        shown["calendar_url"] = request.build_absolute_uri(reverse("api_calendar_feed", args=[secret]))
        form = TokenForm()
    elif request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            datetime.datetime.combine(expires_on, datetime.time.max, tzinfo=timezone.get_current_timezone())
            if expires_on
            else None
        )
        try:
            token, secret = services.token_create(
                user=user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=expires_at,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            status = 400
        else:
            shown["token"] = secret
            shown["token_name"] = token.name
            form = TokenForm()
    elif request.method == "POST":
        status = 400
    now = timezone.now()
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
    ctx = {
        "form": form,
        "shown": shown,
        "tokens": [(token, token.is_active(now)) for token in tokens],
        "feeds": CalendarFeed.objects.filter(user=user, revoked_at__isnull=True),
        "docs_url": reverse("api_docs"),
    }
    response = render(request, "api/access.html", ctx, status=status)
    # The secret is on this page once: do not let a cache or the back button keep it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """A confirmation page (GET), then the revocation (POST): works without JavaScript."""
    token = ApiToken.objects.filter(user=_user(request), pk=token_id).first()
    if token is None:
        raise Http404
    if request.method == "POST":
        services.token_revoke(user=_user(request), token_id=token.pk)
        messages.success(request, _("Ключ «%(name)s» отозван.") % {"name": token.name})
        return redirect("api_access")
    return render(request, "api/token_revoke.html", {"token": token})


@login_required
@require_POST
def calendar_revoke(request: HttpRequest, feed_id: int) -> HttpResponse:
    try:
        services.calendar_feed_revoke(user=_user(request), feed_id=feed_id)
    except CalendarFeed.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("Адрес календаря отозван: он больше не работает."))
    return redirect("api_access")


def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    feed = services.calendar_feed_find(secret)
    if feed is None:
        response = HttpResponse(_("Календарь не найден."), status=404, content_type="text/plain")
        # Django logs every 4xx with its path, and this path is the secret: keep it out.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response
    response = HttpResponse(calendar_for(feed.user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kabinet.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response

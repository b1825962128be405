"""Everything that changes API access: personal access tokens and calendar feeds (SPEC 2.8).

A secret is returned once, by the function that creates it; only its SHA-256 is stored.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.api.models import ApiToken, CalendarFeed, Scope, secret_hash
from kabinet.users.models import User

TOKEN_PREFIX = "kab_"  # noqa: S105 (a visible prefix, not a secret)
FEED_PREFIX = "cal_"
# A token's use is written at most this often: a device polling every few seconds must not turn
# every read into a write.
LAST_USED_EVERY = datetime.timedelta(minutes=1)
MAX_ACTIVE_TOKENS = 20


def _new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def token_create(
    *,
    user: User,
    name: str,
    scopes: Sequence[str],
    expires_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token of `user` with `scopes`; returns it with its secret, which is never stored."""
    now = now or timezone.now()
    name = name.strip()
    if not name:
        raise ValidationError({"name": ValidationError(_("Назовите ключ, например «Home Assistant»."), code="name")})
    unknown = set(scopes) - set(Scope.values)
    if not scopes or unknown:
        raise ValidationError({"scopes": ValidationError(_("Выберите хотя бы одно право."), code="scopes")})
    if expires_at is not None and expires_at <= now:
        raise ValidationError(
            {"expires_at": ValidationError(_("Срок действия должен быть в будущем."), code="expires_at")}
        )
    with transaction.atomic():
        active = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
        if len([t for t in active if t.is_active(now)]) >= MAX_ACTIVE_TOKENS:
            raise ValidationError(
                _("Действующих ключей не может быть больше %(n)s: отзовите ненужные.")
                % {"n": MAX_ACTIVE_TOKENS},
                code="too_many",
            )
        secret = _new_secret(TOKEN_PREFIX)
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            scopes=[scope for scope in Scope.values if scope in scopes],
            prefix=secret[: len(TOKEN_PREFIX) + 4],
            token_hash=secret_hash(secret),
            expires_at=expires_at,
        )
    return token, secret


def token_revoke(*, user: User, token_id: int, now: datetime.datetime | None = None) -> ApiToken:
    """Revoke one of the user's own tokens; another person's token is "not found"."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
        if token is None:
            raise ApiToken.DoesNotExist
        if token.revoked_at is None:
            token.revoked_at = now or timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def token_touch(*, token: ApiToken, now: datetime.datetime | None = None) -> None:
    """Record that the token was used, at most once per LAST_USED_EVERY."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    # A conditional update: concurrent requests do not queue on the row.
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gte=now - LAST_USED_EVERY).update(
        last_used_at=now
    )
    token.last_used_at = now


def token_find(secret: str) -> ApiToken | None:
    """The token with this secret (active or not), with its user."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    # The hash is unique: no ORDER BY (the model's ordering) is needed to pick one row.
    found = ApiToken.objects.select_related("user").filter(token_hash=secret_hash(secret)).order_by()[:1]
    return next(iter(found), None)


def calendar_feed_create(*, user: User) -> tuple[CalendarFeed, str]:
    """A new secret calendar address; the previous one stops working."""
    now = timezone.now()
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        secret = _new_secret(FEED_PREFIX)
        feed = CalendarFeed.objects.create(
            user=user, prefix=secret[: len(FEED_PREFIX) + 4], token_hash=secret_hash(secret)
        )
    return feed, secret


def calendar_feed_revoke(*, user: User, feed_id: int) -> None:
    updated = CalendarFeed.objects.filter(user=user, pk=feed_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated and not CalendarFeed.objects.filter(user=user, pk=feed_id).exists():
        raise CalendarFeed.DoesNotExist


def calendar_feed_find(secret: str) -> CalendarFeed | None:
    """The active feed with this secret, its use recorded."""
    if not secret.startswith(FEED_PREFIX) or len(secret) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=secret_hash(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is not None:
        now = timezone.now()
        if feed.last_used_at is None or now - feed.last_used_at >= LAST_USED_EVERY:
            CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed

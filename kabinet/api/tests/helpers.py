"""Builders for API tests: tokens, a Bearer client, the time when the reading window is open."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from rest_framework.test import APIClient

from kabinet.api.models import ApiToken, Scope
from kabinet.api.services import token_create
from kabinet.meters.models import Meter
from kabinet.meters.tests.helpers import local
from kabinet.users.models import User

ALL_SCOPES = tuple(Scope.values)
OPEN_WINDOW = local("2025-02-20 12:00")  # the sample organisation takes readings 15th–25th


def make_token(
    user: User,
    scopes: Sequence[str] = ALL_SCOPES,
    expires_at: datetime.datetime | None = None,
) -> tuple[ApiToken, str]:
    return token_create(user=user, name="Home Assistant", scopes=scopes, expires_at=expires_at)


def client_for(secret: str | None) -> APIClient:
    client = APIClient()
    if secret:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def api(user: User, scopes: Sequence[str] = ALL_SCOPES) -> APIClient:
    return client_for(make_token(user, scopes)[1])


def meter(world, external_id: str) -> Meter:  # type: ignore[no-untyped-def]
    return Meter.objects.get(organisation=world.org, external_id=external_id)

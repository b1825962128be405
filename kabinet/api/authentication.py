"""Bearer authentication with personal access tokens; scopes and the per-token limit.

401 when the token is missing, unknown, expired or revoked; 403 when it lacks the scope of the
endpoint (SPEC 3.6). The token itself never reaches a log line or an error message.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from kabinet.api.errors import ApiError
from kabinet.api.models import ApiToken, Scope
from kabinet.api.services import token_find, token_touch
from kabinet.api.throttling import api_token_rate_check


class TokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        keyword, _sep, secret = header.strip().partition(" ")
        if keyword.lower() != self.keyword.lower() or not secret.strip():
            raise ApiError(401, "token_invalid", "Передайте ключ в заголовке Authorization: Bearer <ключ>.")
        token = token_find(secret.strip())
        if token is None or not token.user.is_active:
            raise ApiError(401, "token_invalid", "Ключ доступа не найден.")
        if token.revoked_at is not None:
            raise ApiError(401, "token_revoked", "Ключ доступа отозван.")
        if not token.is_active():
            raise ApiError(401, "token_expired", "Срок действия ключа доступа истёк.")
        token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class BearerScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "kabinet.api.authentication.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "Личный ключ из «Настройки → Доступ к API»"}


class HasScope(BasePermission):
    """`read` for every GET; the view's `write_scope` for anything else."""

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            raise exceptions.NotAuthenticated()
        needed = Scope.READ if request.method in ("GET", "HEAD", "OPTIONS") else view.write_scope
        if needed not in token.scopes:
            raise ApiError(
                403,
                "insufficient_scope",
                f"У ключа нет права «{needed}», нужного для этого запроса.",
            )
        return True


class TokenRateThrottle(BaseThrottle):
    def allow_request(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        self._wait = api_token_rate_check(token_id=token.pk)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait

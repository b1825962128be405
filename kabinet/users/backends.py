"""Sign-in by e-mail, phone or ИНН (or an operator's username), guarded by django-axes."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from kabinet.users.identity import looks_like_inn, mask, normalize_email, normalize_phone
from kabinet.users.models import User


def find_user_by_login(login: str) -> User | None:
    login = login.strip()
    if not login:
        return None
    users = User.objects.all()
    if "@" in login:
        return users.filter(email__iexact=normalize_email(login)).first()
    if looks_like_inn(login):
        user = users.filter(kind=User.Kind.LEGAL, inn=login).first()
        if user is not None:
            return user
    phone = normalize_phone(login)
    if phone is not None:
        user = users.filter(phone=phone).first()
        if user is not None:
            return user
    return users.filter(username=login).first()


class LoginBackend(AxesStandaloneBackend, ModelBackend):
    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        if request is not None:
            # Raises PermissionDenied while this login is locked out from this address. Without a
            # request (the shell, test clients) there is no address to lock.
            AxesStandaloneBackend.authenticate(self, request, username=username, password=password)
        user = find_user_by_login(username)
        if user is None:
            # Spend the time a real check takes, so timing does not tell who has a cabinet.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request: HttpRequest, credentials: dict[str, Any]) -> str:
    """One lockout counter per person, however they type their login."""
    login = str((credentials or {}).get("username") or request.POST.get("username") or "").strip()
    if "@" in login:
        return normalize_email(login)
    return normalize_phone(login) or login


def axes_client_str(
    username: str, ip_address: str, user_agent: str, path_info: str, request: HttpRequest
) -> str:
    # Axes logs this string; a login is personal data, so only its mask goes to the log.
    return f"{{username: {mask(username or '')!r}, path: {path_info!r}}}"

"""Logins a person types: e-mail, Russian mobile phone, ИНН. Normalising and masking them."""

import re

from kabinet.orgs.validators import is_valid_inn

_NOT_DIGITS = re.compile(r"\D")
_PHONE_CHARS = re.compile(r"^\+?[\d\s()\-]+$")


def normalize_phone(value: str) -> str | None:
    """+7XXXXXXXXXX for a Russian number typed as +7…, 8… or ten digits; None otherwise."""
    value = value.strip()
    if not value or not _PHONE_CHARS.match(value):
        return None
    digits = _NOT_DIGITS.sub("", value)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    elif len(digits) != 10 or value.startswith("+"):
        return None
    return "+7" + digits


def normalize_email(value: str) -> str:
    return value.strip().lower()


def looks_like_inn(value: str) -> bool:
    return is_valid_inn(value.strip())


def mask_phone(phone: str) -> str:
    """+7 *** ***-**-67: enough to tell numbers apart in a log or on a page, not to call."""
    return f"+7 *** ***-**-{phone[-2:]}" if len(phone) >= 4 else "***"


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask(target: str) -> str:
    """The masked form of any login: e-mail, phone, or anything else (ИНН, username)."""
    if "@" in target:
        return mask_email(target)
    if target.startswith("+7"):
        return mask_phone(target)
    return f"{target[:2]}***" if len(target) > 4 else "***"

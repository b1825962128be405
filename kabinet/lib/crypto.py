"""Secrets stored encrypted in the database (payment gateway passwords, SPEC 2.7).

`EncryptedTextField` keeps Fernet ciphertext (AES-128-CBC + HMAC-SHA256) in the column and gives
the code the plain text, so the providers read `account.secret` as before. The key comes from
`FIELD_ENCRYPTION_KEY` if set, else is derived from `SECRET_KEY`; a database dump alone does not
reveal a secret. Values written before the field was encrypted (no Fernet prefix) still read.
"""

import base64
import hashlib
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models

PREFIX = "fernet:"


def _fernet() -> Fernet:
    material = getattr(settings, "FIELD_ENCRYPTION_KEY", "") or settings.SECRET_KEY
    key = hashlib.sha256(b"kabinet.field-encryption:" + material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(value: str) -> str:
    return PREFIX + _fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    if not value.startswith(PREFIX):
        return value  # written before encryption was introduced
    try:
        return _fernet().decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        # The key changed: the secret must be entered again; never crash a page over it.
        return ""


class EncryptedTextField(models.TextField):
    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return value if value is None else decrypt(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            return decrypt(value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)

"""The one error shape of the API: {"code": stable, "detail": Russian text, "fields": {...}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response


class ApiError(exceptions.APIException):
    def __init__(self, status_code: int, code: str, detail: str, fields: dict | None = None) -> None:
        super().__init__(detail=detail, code=code)
        self.status_code = status_code
        self.error_code = code
        self.fields = fields or {}


def error_body(code: str, detail: str, fields: dict | None = None) -> dict[str, Any]:
    return {"code": code, "detail": detail, "fields": fields or {}}


def error_response(status_code: int, code: str, detail: str, fields: dict | None = None) -> Response:
    return Response(error_body(code, detail, fields), status=status_code)


def _field_messages(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation detail flattened to {"field" or "lines.0.amount": [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_field_messages(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                out.update(_field_messages(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def django_validation_fields(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {key: [str(m) for e in errors for m in e.messages] for key, errors in exc.error_dict.items()}
    return {}


def django_validation_code(exc: DjangoValidationError, default: str = "invalid") -> str:
    errors = [e for errors in exc.error_dict.values() for e in errors] if hasattr(exc, "error_dict") else exc.error_list
    for error in errors:
        if error.code:
            return str(error.code)
    return default


CODES = {
    status.HTTP_401_UNAUTHORIZED: ("not_authenticated", "Нужен ключ доступа: заголовок Authorization: Bearer <ключ>."),
    status.HTTP_403_FORBIDDEN: ("forbidden", "Недостаточно прав."),
    status.HTTP_404_NOT_FOUND: ("not_found", "Не найдено."),
    status.HTTP_405_METHOD_NOT_ALLOWED: ("method_not_allowed", "Этот метод здесь не поддерживается."),
    status.HTTP_406_NOT_ACCEPTABLE: ("not_acceptable", "Ответ возможен только в формате JSON."),
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: ("unsupported_media_type", "Передайте тело запроса в формате JSON."),
    status.HTTP_429_TOO_MANY_REQUESTS: ("rate_limited", "Слишком много запросов. Повторите позже."),
}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Imported here: rest_framework.views imports the authentication classes, which use ApiError.
    from rest_framework.views import exception_handler

    if isinstance(exc, DjangoValidationError):
        body = error_body(
            django_validation_code(exc),
            " ".join(exc.messages),
            django_validation_fields(exc),
        )
        return Response(body, status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ApiError):
        response.data = error_body(exc.error_code, str(exc.detail), exc.fields)
        return response
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            "invalid", "Проверьте данные запроса.", _field_messages(exc.detail)
        )
        return response
    if isinstance(exc, exceptions.ParseError):
        response.data = error_body("parse_error", "Тело запроса — не корректный JSON.")
        return response
    code, detail = CODES.get(response.status_code, ("error", "Ошибка запроса."))
    if isinstance(exc, exceptions.Throttled) and exc.wait:
        detail = f"Слишком много запросов с этим ключом. Повторите через {int(exc.wait)} с."
    response.data = error_body(code, detail)
    return response

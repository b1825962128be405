"""`Idempotency-Key` for writes a device may repeat (SPEC 2.8, 3.6).

The first request with a key stores its answer in the same transaction as the write; a repeat
with the same key and the same request gets those very bytes back, and no second write. A
concurrent repeat blocks on the unique (user, key) row until the first commits, then reads it.
The same key with another request is 409.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from kabinet.api.errors import ApiError
from kabinet.api.models import IdempotencyKey

HEADER = "Idempotency-Key"
# Only final answers are kept: a refusal by the rules (400) is as final as a success.
KEPT = {200, 201, 400}


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _json_response(status: int, body: bytes, replayed: bool) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="application/json")
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def idempotent(request: Request, handler: Callable[[], Response]) -> HttpResponse | Response:
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return handler()
    if len(key) > 255:
        raise ApiError(400, "idempotency_key", "Idempotency-Key не длиннее 255 символов.")
    fingerprint = _fingerprint(request)
    table = IdempotencyKey._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # Insert first (no read before): a concurrent first request holds the row uncommitted,
        # so this INSERT waits for it, then inserts nothing, and the answer is read below. One
        # statement, no savepoint: ON CONFLICT is not an error.
        cursor.execute(
            f"INSERT INTO {table} (user_id, key, fingerprint, status_code, body, created_at) "  # noqa: S608
            "VALUES (%s, %s, %s, 0, '', %s) ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
            [request.user.pk, key, fingerprint, timezone.now()],
        )
        row = cursor.fetchone()
        if row is None:
            record = IdempotencyKey.objects.get(user=request.user, key=key)
            if record.fingerprint != fingerprint:
                raise ApiError(
                    409,
                    "idempotency_conflict",
                    "Этот Idempotency-Key уже использован для другого запроса.",
                )
            return _json_response(record.status_code, record.body.encode(), replayed=True)
        # An exception here (404, 403, a failure) rolls the key back with the write.
        response = handler()
        body = JSONRenderer().render(response.data)
        if response.status_code in KEPT:
            cursor.execute(
                f"UPDATE {table} SET status_code = %s, body = %s WHERE id = %s",  # noqa: S608
                [response.status_code, body.decode(), row[0]],
            )
        else:
            transaction.set_rollback(True)
    return _json_response(response.status_code, body, replayed=False)

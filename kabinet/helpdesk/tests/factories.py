"""Builders for helpdesk tests: tiny real images, requests, operators."""

from __future__ import annotations

import datetime
import io
import struct
import zlib

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kabinet.accounts.tests.factories import make_user
from kabinet.billing.models import PersonalAccount
from kabinet.helpdesk import services
from kabinet.helpdesk.models import RequestType, ServiceRequest
from kabinet.orgs.models import Organisation
from kabinet.users.models import User


def png_bytes() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def png(name: str = "leak.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    """A valid 2×2 JPEG (the check reads its header for the pixel count)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def request_type(organisation: Organisation, name: str = "Снятие показаний") -> RequestType:
    services.request_types_ensure(organisation=organisation)
    return RequestType.objects.get(organisation=organisation, name=name)


def make_request(
    author: User, account: PersonalAccount, *, files: tuple = (), reason: str = "Течёт кран"
) -> ServiceRequest:
    return services.request_create(
        author=author,
        account=account,
        type=request_type(account.organisation),
        reason=reason,
        desired_date=timezone.localdate() + datetime.timedelta(days=2),
        time_slot=ServiceRequest.TimeSlot.MORNING,
        files=files,
    )


HELPDESK_PERMISSIONS = (
    "view_servicerequest",
    "change_servicerequest",
    "view_appeal",
    "change_appeal",
    "view_requesttype",
    "change_requesttype",
    "add_requesttype",
)


def make_operator(
    organisation: Organisation, email: str = "operator@example.com", perms=HELPDESK_PERMISSIONS
) -> User:
    operator = make_user(
        email, is_staff=True, organisation=organisation, org_role=User.Role.OPERATOR
    )
    operator.user_permissions.add(*Permission.objects.filter(codename__in=perms))
    return operator

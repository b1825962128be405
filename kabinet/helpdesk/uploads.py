"""Checks for files residents attach: photos only (JPEG, PNG by their first bytes), size and count.

The browser's content type and the file name are the sender's word; the magic bytes are not.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_FILES = 5
MAX_BYTES = 5 * 1024 * 1024

SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    content_type: str


def sniff(upload: UploadedFile) -> str | None:
    """The image type by the file's first bytes, or None."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def check_photos(files: Sequence[UploadedFile]) -> list[CheckedFile]:
    """The files with their real type; ValidationError with every problem, in Russian."""
    if len(files) > MAX_FILES:
        raise ValidationError(
            _("Можно приложить не больше %(max)d файлов, выбрано %(count)d.")
            % {"max": MAX_FILES, "count": len(files)}
        )
    errors = []
    checked = []
    for upload in files:
        name = upload.name or _("без имени")
        if (upload.size or 0) > MAX_BYTES:
            errors.append(
                _("Файл «%(name)s» больше 5 МБ: уменьшите фото или выберите другое.")
                % {"name": name}
            )
            continue
        content_type = sniff(upload)
        if content_type is None:
            errors.append(
                _("Файл «%(name)s» не похож на фото: приложите JPEG или PNG.") % {"name": name}
            )
            continue
        checked.append(CheckedFile(upload, content_type))
    if errors:
        raise ValidationError(errors)
    return checked

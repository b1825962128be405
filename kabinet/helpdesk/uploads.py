"""Checks for files residents attach: photos only (JPEG, PNG by their first bytes), size and count.

The browser's content type and the file name are the sender's word; the magic bytes are not.
"""

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_FILES = 5
MAX_BYTES = 5 * 1024 * 1024
# A phone's photo is 12–50 megapixels; a few kilobytes that claim more are a decompression bomb.
MAX_PIXELS = 50_000_000

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


def image_pixels(upload: UploadedFile) -> int | None:
    """Width × height from the image's header, or None when it is not a readable image.

    Pillow reads only the header here and decodes nothing, so a small file that would unpack
    into gigabytes (a decompression bomb) is measured without being unpacked.
    """
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        return MAX_PIXELS + 1
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    finally:
        upload.seek(0)
    return int(width) * int(height)


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
        pixels = image_pixels(upload)
        if pixels is None:
            errors.append(
                _("Файл «%(name)s» не похож на фото: приложите JPEG или PNG.") % {"name": name}
            )
            continue
        if pixels > MAX_PIXELS:
            errors.append(
                _(
                    "Фото «%(name)s» слишком большое по размеру изображения: не больше "
                    "%(max)d мегапикселей. Уменьшите фото или сделайте снимок заново."
                )
                % {"name": name, "max": MAX_PIXELS // 1_000_000}
            )
            continue
        checked.append(CheckedFile(upload, content_type))
    if errors:
        raise ValidationError(errors)
    return checked

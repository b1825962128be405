"""Image uploads are refused above a pixel count (issue 10, item 9): a small file that would
unpack into gigabytes (a decompression bomb) never reaches storage."""

import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from kabinet.helpdesk.models import Attachment, ServiceRequest
from kabinet.helpdesk.tests.test_attachments import post_request
from kabinet.helpdesk.uploads import MAX_PIXELS


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height pixels, with a few bytes of compressed data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def test_it_refuses_a_decompression_bomb(client, world) -> None:
    client.force_login(world.holder)
    bomb = SimpleUploadedFile("bomb.png", png_claiming(30000, 30000), content_type="image/png")
    assert bomb.size is not None and bomb.size < 2000

    response = post_request(client, world, [bomb])

    assert response.status_code == 200
    assert "слишком большое по размеру изображения: не больше 50 мегапикселей" in response.content.decode()
    assert not ServiceRequest.objects.exists()
    assert not Attachment.objects.exists()


def test_it_refuses_just_over_the_limit_and_takes_a_large_phone_photo(client, world) -> None:
    client.force_login(world.holder)
    over = SimpleUploadedFile("over.png", png_claiming(MAX_PIXELS // 5000 + 1, 5000), content_type="image/png")
    response = post_request(client, world, [over])
    assert "мегапикселей" in response.content.decode()
    assert not ServiceRequest.objects.exists()

    photo = SimpleUploadedFile("phone.png", png_claiming(8000, 6000), content_type="image/png")
    response = post_request(client, world, [photo])
    assert response.status_code == 302
    assert Attachment.objects.count() == 1

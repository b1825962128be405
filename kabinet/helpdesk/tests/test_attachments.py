"""Photos: checked by type, size and count; served only to the resident and the organisation."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kabinet.billing.tests.factories import make_org
from kabinet.helpdesk.models import Attachment, ServiceRequest
from kabinet.helpdesk.tests.factories import (
    jpeg,
    make_operator,
    make_request,
    png,
    png_bytes,
    request_type,
)
from kabinet.helpdesk.uploads import MAX_BYTES


def post_request(client, world, photos):
    return client.post(
        reverse("request_new"),
        {
            "account": world.account.pk,
            "type": request_type(world.org).pk,
            "reason": "Фото прилагаю",
            "desired_date": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
            "time_slot": ServiceRequest.TimeSlot.MORNING,
            "photos": photos,
        },
    )


def test_it_accepts_jpeg_and_png_by_their_bytes(client, world) -> None:
    client.force_login(world.holder)
    response = post_request(client, world, [png("a.png"), jpeg("b.jpg")])

    assert response.status_code == 302
    types = sorted(Attachment.objects.values_list("content_type", flat=True))
    assert types == ["image/jpeg", "image/png"]


def test_it_refuses_a_file_that_is_not_a_photo(client, world) -> None:
    client.force_login(world.holder)
    fake = SimpleUploadedFile("photo.png", b"%PDF-1.4 not an image", content_type="image/png")

    response = post_request(client, world, [fake])

    assert response.status_code == 200
    assert "не похож на фото: приложите JPEG или PNG" in response.content.decode()
    assert not ServiceRequest.objects.exists()
    assert not Attachment.objects.exists()


def test_it_refuses_a_photo_over_5_mb(client, world) -> None:
    client.force_login(world.holder)
    big = SimpleUploadedFile("big.png", png_bytes() + b"\x00" * MAX_BYTES, content_type="image/png")

    response = post_request(client, world, [big])

    assert response.status_code == 200
    assert "больше 5 МБ" in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_it_refuses_more_than_five_files(client, world) -> None:
    client.force_login(world.holder)
    response = post_request(client, world, [png(f"{n}.png") for n in range(6)])

    assert response.status_code == 200
    assert "не больше 5 файлов" in response.content.decode()
    assert not ServiceRequest.objects.exists()


@pytest.fixture
def photo(world) -> Attachment:
    request = make_request(world.holder, world.account, files=(png(),))
    return request.attachments.get()


def test_it_serves_the_photo_to_the_resident_and_the_family(client, world, photo) -> None:
    for user in (world.holder, world.member):
        client.force_login(user)
        response = client.get(reverse("helpdesk_attachment", args=[photo.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == png_bytes()


def test_it_serves_the_photo_to_the_organisations_operator(client, world, photo) -> None:
    client.force_login(make_operator(world.org))
    response = client.get(reverse("helpdesk_attachment", args=[photo.pk]))
    assert response.status_code == 200


def test_it_answers_404_to_a_stranger_and_other_staff(client, world, photo) -> None:
    other_staff = make_operator(make_org("other"), email="other-op@example.com")
    for user in (world.stranger, other_staff):
        client.force_login(user)
        assert client.get(reverse("helpdesk_attachment", args=[photo.pk])).status_code == 404


def test_it_never_links_the_file_from_media_url(client, world, photo, settings) -> None:
    client.force_login(world.holder)
    page = client.get(reverse("request_detail", args=[photo.request_id])).content.decode()

    assert reverse("helpdesk_attachment", args=[photo.pk]) in page
    # Stored under a random name with the sniffed type's extension, not the sender's name.
    assert photo.file.name.startswith("helpdesk/") and photo.file.name.endswith(".png")
    assert "leak" not in photo.file.name and photo.name == "leak.png"
    assert settings.MEDIA_URL not in page
    assert photo.file.name not in page
    # Not served by the site under MEDIA_URL either.
    assert client.get(settings.MEDIA_URL + photo.file.name).status_code == 404

"""Exports from the office (SPEC 3.3): the same files as the commands, for the accountant."""

import io

from django.core.management import call_command
from django.urls import reverse

from kabinet.meters.models import ReadingSubmission
from kabinet.meters.tests.test_export import HEADER, send
from kabinet.office.models import AuditEntry
from kabinet.office.tests.factories import make_staff
from kabinet.users.models import User


def test_it_downloads_the_readings_file_the_command_writes(client, world) -> None:
    send(world, "2025-02-20 10:00:00", M_1=["130"], M_2=["1010,5", "405"])
    client.force_login(make_staff(world.org, User.Role.ACCOUNTANT))

    response = client.post(reverse("office:export_readings"), {"r-period": "2025-02"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="readings-uk-2025-02.csv"'
    text = response.content.decode("utf-8")
    out = io.StringIO()
    call_command("export_readings", "--org", "uk", "--period", "2025-02", stdout=out)
    assert text == out.getvalue()
    assert text.splitlines()[0] == HEADER and len(text.splitlines()) == 3
    assert set(ReadingSubmission.objects.values_list("status", flat=True)) == {ReadingSubmission.Status.TRANSFERRED}
    assert AuditEntry.objects.get(action="readings.export").after["rows"] == 2


def test_it_downloads_online_payments_and_explains_a_bad_range(client, world) -> None:
    client.force_login(make_staff(world.org, User.Role.ACCOUNTANT))
    response = client.post(
        reverse("office:export_payments"), {"p-date_from": "2025-02-01", "p-date_to": "2025-02-28"}
    )
    assert response.status_code == 200
    assert response.content.decode().splitlines() == [
        "external_id;account_number;paid_at;amount;provider;provider_payment_id"
    ]
    bad = client.post(
        reverse("office:export_payments"), {"p-date_from": "2025-02-28", "p-date_to": "2025-02-01"}
    )
    assert bad.status_code == 400
    assert "Дата окончания раньше даты начала." in bad.content.decode()
    assert client.post(reverse("office:export_readings"), {"r-period": "2025"}).status_code == 400

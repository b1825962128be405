"""The audit log: written by the services for staff changes made in the office or the admin."""

from django.urls import reverse

from kabinet.helpdesk.models import ServiceRequest
from kabinet.helpdesk.tests.factories import make_request
from kabinet.office.models import AuditEntry
from kabinet.office.tests.factories import make_staff
from kabinet.users.models import User

Status = ServiceRequest.Status


def test_it_records_changes_made_in_the_django_admin_too(client, world) -> None:
    item = make_request(world.holder, world.account)
    root = make_staff(world.org, User.Role.ADMIN, email="root@example.com", is_superuser=True)
    client.force_login(root)
    client.post(
        reverse("admin:helpdesk_servicerequest_changelist"),
        {"action": "take_into_work", "_selected_action": [item.pk]},
        REMOTE_ADDR="10.1.2.3",
    )
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.organisation, entry.ip_address) == (
        "request.status", root, world.org, "10.1.2.3"
    )
    assert (entry.before, entry.after) == ({"status": "Принята в систему"}, {"status": "В работе", "reason": ""})


def test_it_does_not_log_what_residents_do_themselves(world) -> None:
    from kabinet.helpdesk.services import request_transition

    item = make_request(world.holder, world.account)
    request_transition(request=item, to=Status.CANCELLED_CLIENT, by=world.holder)
    assert not AuditEntry.objects.exists()


def test_it_shows_the_log_read_only_and_filtered_to_the_administrator(client, world) -> None:
    admin = make_staff(world.org, User.Role.ADMIN)
    operator = make_staff(world.org, User.Role.OPERATOR)
    item = make_request(world.holder, world.account)
    client.force_login(operator)
    client.post(reverse("office:request_status", args=[item.pk]), {"status": Status.IN_WORK, "reason": "Назначен мастер"})
    client.post(reverse("office:request_comment", args=[item.pk]), {"text": "Будем в 9:00"})
    assert client.get(reverse("office:audit")).status_code == 403

    client.force_login(admin)
    page = client.get(reverse("office:audit")).content.decode()
    assert "Статус заявки" in page and "Комментарий к заявке" in page
    assert "статус: Принята в систему" in page and "статус: В работе" in page
    assert "127.0.0.1" in page
    only = client.get(reverse("office:audit"), {"action": "request.comment"}).content.decode()
    assert "Будем в 9:00" in only and "статус: В работе" not in only
    by_admin = client.get(reverse("office:audit"), {"actor": admin.pk}).content.decode()
    assert "Записей нет." in by_admin
    # Read-only: the page offers no form that writes.
    assert 'method="post"' not in page.split("<main", 1)[1].split("</main>")[0]

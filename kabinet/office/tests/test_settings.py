"""«Настройки организации»: validation messages, gateway secret encrypted and never shown back."""

from django.db import connection
from django.forms.models import model_to_dict
from django.urls import reverse

from kabinet.office.forms import SETTINGS_FIELDS
from kabinet.office.models import AuditEntry
from kabinet.office.tests.factories import make_staff
from kabinet.payments.models import GatewayAccount
from kabinet.users.models import User


def _form_data(org, **changes):  # type: ignore[no-untyped-def]
    data = {k: v for k, v in model_to_dict(org, fields=SETTINGS_FIELDS).items()}
    data["reading_closes_at"] = org.reading_closes_at.strftime("%H:%M")
    data["keep_one_account"] = "on" if org.keep_one_account else ""
    data.update(changes)
    return {k: ("" if v is None else v) for k, v in data.items()}


def test_it_stores_the_gateway_secret_encrypted_and_never_shows_it(client, world) -> None:
    client.force_login(make_staff(world.org, User.Role.ADMIN))
    url = reverse("office:settings")
    response = client.post(
        url,
        _form_data(world.org, payment_provider="tbank", gateway_shop_id="TERM-1", gateway_secret="s3cr3t-Pa55"),
    )
    assert response.status_code == 302
    account = GatewayAccount.objects.get(organisation=world.org)
    assert (account.shop_id, account.secret) == ("TERM-1", "s3cr3t-Pa55")
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM payments_gatewayaccount WHERE id = %s", [account.pk])
        stored = cursor.fetchone()[0]
    assert "s3cr3t" not in stored and stored.startswith("fernet:")
    page = client.get(url).content.decode()
    assert "s3cr3t-Pa55" not in page and "Секретный ключ сохранён." in page
    entry = AuditEntry.objects.get(action="org.settings")
    assert "s3cr3t" not in str(entry.before) + str(entry.after)
    assert entry.after["secret"] == "изменён" and entry.after["payment_provider"] == "tbank"

    # An empty secret keeps the stored one.
    client.post(url, _form_data(world.org, payment_provider="tbank", gateway_shop_id="TERM-1", banner="Новое"))
    account.refresh_from_db()
    assert account.secret == "s3cr3t-Pa55"


def test_it_explains_what_is_wrong(client, world) -> None:
    client.force_login(make_staff(world.org, User.Role.ADMIN))
    page = client.post(
        reverse("office:settings"),
        _form_data(
            world.org,
            bik="12345",
            account="4070",
            reading_first_day="26",
            reading_last_day="15",
            timezone="Марс/Олимп",
        ),
    ).content.decode()
    assert "БИК — 9 цифр" in page
    assert "Расчётный счёт — 20 цифр" in page
    assert "Последний день приёма показаний раньше первого." in page
    assert "Неизвестный часовой пояс" in page
    world.org.refresh_from_db()
    assert world.org.bik == "045004641"


def test_it_sets_request_type_deadlines_that_new_requests_use(client, world) -> None:
    from kabinet.helpdesk.models import RequestType
    from kabinet.helpdesk.tests.factories import make_request

    client.force_login(make_staff(world.org, User.Role.ADMIN))
    page = client.get(reverse("office:request_types")).content.decode()
    assert "Снятие показаний" in page
    kind = RequestType.objects.get(organisation=world.org, name="Снятие показаний")
    prefix = f"t{kind.pk}"
    data = {f"{prefix}-{k}": v for k, v in {"name": kind.name, "position": kind.position, "is_active": "on", "deadline_days": 10, "deadline_hours": 4}.items()}
    response = client.post(reverse("office:request_types"), {**data, "save": prefix})
    assert response.status_code == 302
    kind.refresh_from_db()
    assert kind.deadline_hours == 4
    item = make_request(world.holder, world.account)
    assert item.due_at is not None and (item.due_at - item.created_at).total_seconds() == 4 * 3600
    entry = AuditEntry.objects.get(action="request_type.save")
    assert entry.before == {"deadline_hours": None} and entry.after == {"deadline_hours": 4}

    bad = client.post(
        reverse("office:request_types"),
        {"new-name": "Вызов сантехника", "new-is_paid": "on", "new-deadline_days": 10, "new-position": 9, "save": "new"},
    ).content.decode()
    assert "У платной услуги должна быть цена." in bad
    assert not RequestType.objects.filter(name="Вызов сантехника").exists()

"""The admin shows an organisation's staff only their organisation's data (SPEC 2.7)."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client, RequestFactory
from django.urls import reverse

from kabinet.billing.models import (
    BillingPayment,
    Charge,
    ImportRun,
    Period,
    PersonalAccount,
    Service,
)
from kabinet.meters.models import Meter, Reading
from kabinet.orgs.models import Organisation
from kabinet.orgs.validators import is_valid_inn
from kabinet.users.models import User

pytestmark = pytest.mark.django_db

INN_A = "7707083893"
INN_B = "5406012341"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The admin templates use {% static %}; tests run without collectstatic's manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def make_org(code: str, inn: str) -> Organisation:
    assert is_valid_inn(inn)
    return Organisation.objects.create(code=code, name=f"Организация {code}", inn=inn)


def make_world(
    org: Organisation, suffix: str, month: datetime.date = datetime.date(2025, 1, 1)
) -> dict:
    """An account with a service, a period, a charge, a payment, a meter and a reading."""
    account = PersonalAccount.objects.create(
        organisation=org,
        number=f"ЛС-{suffix}",
        owner_name=f"Владелец {suffix}",
        address="ул. Ленина, 1",
    )
    service = Service.objects.create(
        organisation=org, code=f"hvs-{suffix}", name=f"Холодная вода {suffix}"
    )
    period = Period.objects.create(organisation=org, month=month)
    charge = Charge.objects.create(
        account=account, period=period, service=service, charged=Decimal("123.45")
    )
    payment = BillingPayment.objects.create(
        organisation=org,
        account=account,
        external_id=f"p-{suffix}",
        paid_on=datetime.date(2025, 1, 5),
        amount=Decimal("100.00"),
    )
    import_run = ImportRun.objects.create(
        organisation=org, status=ImportRun.Status.SUCCEEDED, summary={"source": f"import-{suffix}"}
    )
    meter = Meter.objects.create(
        organisation=org,
        external_id=f"m-{suffix}",
        account=account,
        service=service,
        resource=Meter.Resource.COLD_WATER,
        serial_number=f"SN-{suffix}",
    )
    reading = Reading.objects.create(
        meter=meter,
        reading_date=datetime.date(2025, 1, 20),
        value1=Decimal("17.5"),
        source=f"src-{suffix}",
    )
    return {
        "account": account,
        "service": service,
        "period": period,
        "charge": charge,
        "payment": payment,
        "import_run": import_run,
        "meter": meter,
        "reading": reading,
    }


def operators_group() -> Group:
    group, _created = Group.objects.get_or_create(name="Операторы")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["orgs", "users", "billing", "meters"]
        )
    )
    return group


def make_staff(org: Organisation | None, username: str) -> User:
    user = User.objects.create_user(
        username=username, password="x-Пароль-123", is_staff=True, organisation=org
    )
    user.groups.add(operators_group())
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    org_a = make_org("org-a", INN_A)
    org_b = make_org("org-b", INN_B)
    return {
        "a": make_world(org_a, "A"),
        "b": make_world(org_b, "B"),
        "org_a": org_a,
        "org_b": org_b,
        "staff_b": make_staff(org_b, "staff-b"),
    }


def form_data(response) -> dict:
    """What the change form would send back unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(field.widget, forms.MultiWidget):
            for i, part in enumerate(field.widget.decompress(value) or []):
                data[f"{name}_{i}"] = part
        else:
            data[name] = value
    return data


def url(obj, view: str = "change") -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize(
    ("model", "key", "shown"),
    [
        (PersonalAccount, "account", lambda w: w.number),
        (Charge, "charge", lambda w: w.account.number),
        (Meter, "meter", lambda w: w.serial_number),
        (Reading, "reading", lambda w: w.meter.account.number),
        (Service, "service", lambda w: w.name),
        (BillingPayment, "payment", lambda w: w.external_id),
        (ImportRun, "import_run", lambda w: url(w)),
    ],
)
def test_it_lists_only_own_organisation_rows(world, model, key, shown):
    response = client_for(world["staff_b"]).get(changelist(model))
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert rows == [world["b"][key]]
    content = response.content.decode()
    assert shown(world["b"][key]) in content
    assert shown(world["a"][key]) not in content


def test_it_lists_only_own_organisation(world):
    response = client_for(world["staff_b"]).get(changelist(Organisation))
    assert list(response.context["cl"].result_list) == [world["org_b"]]
    assert "Организация org-a" not in response.content.decode()


def test_it_offers_only_own_organisation_in_list_filters(world):
    response = client_for(world["staff_b"]).get(changelist(Charge))
    content = response.content.decode()
    assert "Холодная вода B" in content
    assert "Холодная вода A" not in content


def test_it_answers_404_for_another_organisations_account(world):
    client = client_for(world["staff_b"])
    account = world["a"]["account"]

    assert client.get(url(account)).status_code == 404
    response = client.post(
        url(account), {"number": "ЛС-A", "owner_name": "Взломщик", "status": "closed"}
    )
    assert response.status_code == 404
    assert client.get(url(account, "history")).status_code == 404

    account.refresh_from_db()
    assert account.owner_name == "Владелец A"
    assert account.status == PersonalAccount.Status.ACTIVE


def test_it_lets_staff_edit_own_account(world):
    account = world["b"]["account"]
    response = client_for(world["staff_b"]).post(
        url(account), {"number": account.number, "owner_name": "Новый владелец", "status": "closed"}
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.owner_name == "Новый владелец"
    assert account.status == PersonalAccount.Status.CLOSED


def test_it_answers_404_on_deleting_another_organisations_object(world):
    client = client_for(world["staff_b"])
    account = world["a"]["account"]

    assert client.get(url(account, "delete")).status_code == 404
    assert client.post(url(account, "delete"), {"post": "yes"}).status_code == 404
    assert PersonalAccount.objects.filter(pk=account.pk).exists()


def test_it_refuses_another_organisations_account_for_a_new_meter(world):
    client = client_for(world["staff_b"])
    data = {
        "external_id": "m-new",
        "resource": Meter.Resource.HOT_WATER,
        "serial_number": "SN-NEW",
        "zones": "1",
        "digits": "5",
        "decimals": "3",
    }

    response = client.post(
        reverse("admin:meters_meter_add"), {**data, "account": world["a"]["account"].pk}
    )

    assert response.status_code == 200
    assert "account" in response.context["adminform"].form.errors
    assert not Meter.objects.filter(external_id="m-new").exists()

    # The same form with their own account goes through, in their organisation.
    response = client.post(
        reverse("admin:meters_meter_add"), {**data, "account": world["b"]["account"].pk}
    )
    assert response.status_code == 302
    assert Meter.objects.get(external_id="m-new").organisation == world["org_b"]


def test_it_forces_own_organisation_on_add(world):
    client = client_for(world["staff_b"])
    response = client.post(
        reverse("admin:billing_personalaccount_add"),
        {"organisation": world["org_a"].pk, "number": "ЛС-NEW", "status": "active"},
    )
    assert response.status_code == 302
    assert PersonalAccount.objects.get(number="ЛС-NEW").organisation == world["org_b"]


def test_it_hides_another_organisation_from_staff(world):
    client = client_for(world["staff_b"])
    org_a = world["org_a"]

    assert client.get(url(org_a)).status_code == 404
    assert client.post(url(org_a), {"name": "Чужая"}).status_code == 404
    org_a.refresh_from_db()
    assert org_a.name == "Организация org-a"


def test_it_lets_staff_edit_own_organisation_settings_but_not_create_or_delete(world):
    client = client_for(world["staff_b"])
    org_b = world["org_b"]
    response = client.get(url(org_b))
    assert response.status_code == 200
    data = form_data(response)
    data.update({"name": "ТСЖ «Берёзка»", "min_payment": "100.00"})

    response = client.post(url(org_b), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    org_b.refresh_from_db()
    assert org_b.name == "ТСЖ «Берёзка»"
    assert org_b.min_payment == Decimal("100.00")
    assert client.get(reverse("admin:orgs_organisation_add")).status_code == 403
    assert client.get(url(org_b, "delete")).status_code == 403


def test_it_publishes_own_period_and_not_another(world):
    client = client_for(world["staff_b"])
    period_a, period_b = world["a"]["period"], world["b"]["period"]

    response = client.post(
        changelist(Period),
        {"action": "publish", "_selected_action": [period_a.pk, period_b.pk]},
    )

    assert response.status_code == 302
    period_a.refresh_from_db()
    period_b.refresh_from_db()
    assert period_b.is_published
    assert period_b.published_at is not None
    assert not period_a.is_published


def test_it_keeps_billing_data_read_only_for_staff(world):
    client = client_for(world["staff_b"])
    charge = world["b"]["charge"]

    response = client.get(url(charge))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert client.get(reverse("admin:billing_charge_add")).status_code == 403
    assert client.post(url(charge), {"charged": "0"}).status_code == 403


def test_it_keeps_import_runs_read_only_for_everyone(world):
    superuser = User.objects.create_superuser(username="root", password="x-Пароль-123")
    run = world["b"]["import_run"]
    for user in (world["staff_b"], superuser):
        client = client_for(user)
        response = client.get(url(run))
        assert response.status_code == 200
        assert not response.context["has_change_permission"]
        assert not response.context["has_delete_permission"]
        assert client.get(reverse("admin:billing_importrun_add")).status_code == 403
        assert client.post(url(run, "delete"), {"post": "yes"}).status_code == 403
    assert ImportRun.objects.filter(pk=run.pk).exists()


def test_it_shows_staff_only_own_organisations_staff(world):
    staff_a = make_staff(world["org_a"], "staff-a")
    superuser = User.objects.create_superuser(
        username="root", password="x-Пароль-123", organisation=world["org_b"]
    )

    response = client_for(world["staff_b"]).get(changelist(User))

    rows = list(response.context["cl"].result_list)
    assert world["staff_b"] in rows
    assert staff_a not in rows
    assert superuser not in rows
    client = client_for(world["staff_b"])
    assert client.get(url(staff_a)).status_code == 404
    assert (
        client.get(reverse("admin:auth_user_password_change", args=[staff_a.pk])).status_code == 404
    )
    assert client.get(url(superuser)).status_code == 404


def test_it_creates_staff_in_own_organisation(world):
    response = client_for(world["staff_b"]).post(
        reverse("admin:users_user_add"),
        {
            "username": "new-operator",
            "usable_password": "true",
            "password1": "Сложный-пароль-42",
            "password2": "Сложный-пароль-42",
            "organisation": world["org_a"].pk,
            "org_role": User.Role.OPERATOR,
            "is_staff": "on",
        },
    )

    assert response.status_code == 302
    created = User.objects.get(username="new-operator")
    assert created.organisation == world["org_b"]
    assert created.is_staff
    assert not created.is_superuser


def test_it_does_not_let_staff_grant_superuser(world):
    client = client_for(world["staff_b"])
    colleague = make_staff(world["org_b"], "colleague-b")
    response = client.get(url(colleague))
    form = response.context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "organisation" not in form.fields
    assert "user_permissions" not in form.fields

    response = client.post(url(colleague), {**form_data(response), "is_superuser": "on"})

    assert response.status_code == 302, response.context["adminform"].form.errors
    colleague.refresh_from_db()
    assert not colleague.is_superuser
    assert colleague.organisation == world["org_b"]


def test_it_keeps_groups_the_editor_cannot_grant(world):
    client = client_for(world["staff_b"])
    colleague = make_staff(world["org_b"], "colleague-b")
    accountants = Group.objects.create(name="Бухгалтеры")
    colleague.groups.add(accountants)

    response = client.get(url(colleague))
    assert list(response.context["adminform"].form.fields["groups"].queryset) == [operators_group()]
    # The browser sends back only the groups the form offers.
    data = {**form_data(response), "last_name": "Иванова", "groups": [operators_group().pk]}
    response = client.post(url(colleague), data)

    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.last_name == "Иванова"
    assert set(colleague.groups.all()) == {accountants, operators_group()}


def test_it_autocompletes_only_own_accounts(world):
    response = client_for(world["staff_b"]).get(
        reverse("admin:autocomplete"),
        {"app_label": "meters", "model_name": "meter", "field_name": "account", "term": "ЛС"},
    )

    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [world["b"]["account"].number]


def test_it_gives_staff_without_organisation_nothing(world):
    nobody = make_staff(None, "nobody")
    client = client_for(nobody)
    assert client.get(changelist(PersonalAccount)).status_code == 403
    assert client.get(reverse("admin:billing_personalaccount_add")).status_code == 403
    assert client.get(url(world["b"]["account"])).status_code == 404

    request = RequestFactory().get("/")
    request.user = nobody
    account_admin = admin.site.get_model_admin(PersonalAccount)
    assert not account_admin.get_queryset(request).exists()
    assert not account_admin.has_add_permission(request)


def test_it_shows_superuser_both_organisations(world):
    superuser = User.objects.create_superuser(username="root", password="x-Пароль-123")
    client = client_for(superuser)

    for model, key in (
        (PersonalAccount, "account"),
        (Charge, "charge"),
        (Meter, "meter"),
        (Reading, "reading"),
    ):
        response = client.get(changelist(model))
        assert set(response.context["cl"].result_list) == {world["a"][key], world["b"][key]}
    response = client.get(changelist(Organisation))
    assert set(response.context["cl"].result_list) == {world["org_a"], world["org_b"]}
    assert client.get(url(world["a"]["account"])).status_code == 200


@pytest.mark.parametrize("model", [Charge, BillingPayment, Meter, Reading, PersonalAccount, Period])
def test_it_lists_without_a_query_per_row(world, model, django_assert_max_num_queries):
    org_b = world["org_b"]
    for n in range(20):
        make_world(org_b, f"B{n}", month=datetime.date(2023 + n // 12, 1 + n % 12, 1))
    client = client_for(world["staff_b"])

    with django_assert_max_num_queries(10):
        response = client.get(changelist(model))

    assert len(response.context["cl"].result_list) == 21

"""Roles: each role reaches exactly its sections; other organisations' staff get 404; residents
never see the office. The walks read the office's URL list, so a new page is covered."""

import pytest
from django.urls import reverse

from kabinet.billing.tests.factories import make_org
from kabinet.office.access import ROLE_SECTIONS, Section
from kabinet.office.tests.factories import make_staff, object_for, office_patterns
from kabinet.users.models import User

Role = User.Role


def _url(pattern, office, owner) -> str:  # type: ignore[no-untyped-def]
    pk = object_for(pattern, office, owner)
    return reverse(f"office:{pattern.name}", args=[pk] if pk is not None else [])


def _is_post_only(pattern) -> bool:  # type: ignore[no-untyped-def]
    return pattern.name in {"staff_role", "request_status", "request_comment", "appeal_close", "export_readings", "export_payments", "link_remove", "invitation_resend"}


def test_it_wraps_every_office_view_in_the_role_gate() -> None:
    for pattern in office_patterns():
        assert isinstance(getattr(pattern.callback, "office_section", None), Section), pattern.name


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OPERATOR, Role.ACCOUNTANT])
def test_it_gives_each_role_exactly_its_pages(client, office, role) -> None:
    user = {Role.ADMIN: office.admin, Role.OPERATOR: office.operator, Role.ACCOUNTANT: office.accountant}[role]
    client.force_login(user)
    allowed = ROLE_SECTIONS[role]
    for pattern in office_patterns():
        section = pattern.callback.office_section  # type: ignore[attr-defined]
        url = _url(pattern, office, user)
        response = client.post(url, {}) if _is_post_only(pattern) else client.get(url)
        if section in allowed:
            assert response.status_code in {200, 302, 400}, (pattern.name, response.status_code)
        else:
            assert response.status_code == 403, (pattern.name, response.status_code)


def test_it_answers_404_to_another_organisations_staff_on_every_office_url(client, office) -> None:
    other = make_org("other")
    stranger_admin = make_staff(other, Role.ADMIN)
    client.force_login(stranger_admin)
    walked = 0
    for pattern in office_patterns():
        pk = object_for(pattern, office, office.admin)
        if pk is None:
            continue  # a list page shows the stranger's own organisation
        url = reverse(f"office:{pattern.name}", args=[pk])
        response = client.post(url, {}) if _is_post_only(pattern) else client.get(url)
        assert response.status_code == 404, (pattern.name, response.status_code)
        walked += 1
    assert walked >= 9


def test_it_shows_another_organisations_staff_only_their_own_lists(client, office) -> None:
    client.force_login(make_staff(make_org("other"), Role.ADMIN))
    for name in ("requests", "appeals", "imports", "periods", "staff", "audit"):
        page = client.get(reverse(f"office:{name}")).content.decode()
        assert "1001" not in page and office.operator.email not in page, name


def test_it_hides_the_office_from_residents_and_staff_without_a_role(client, world, office) -> None:
    no_role = make_staff(world.org, "", email="norole@example.com")
    for user in (world.holder, no_role):
        client.force_login(user)
        for pattern in office_patterns():
            response = client.get(_url(pattern, office, office.admin))
            assert response.status_code in {404, 405}, (pattern.name, response.status_code)


def test_it_sends_an_anonymous_visitor_to_sign_in(client, office) -> None:
    response = client.get(reverse("office:requests"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_lets_the_administrator_change_a_role_and_logs_it(client, office) -> None:
    client.force_login(office.admin)
    prefix = f"m{office.operator.pk}"
    client.post(reverse("office:staff_role", args=[office.operator.pk]), {f"{prefix}-role": Role.ACCOUNTANT})
    office.operator.refresh_from_db()
    assert office.operator.org_role == Role.ACCOUNTANT
    client.force_login(office.operator)
    assert client.get(reverse("office:requests")).status_code == 403
    assert client.get(reverse("office:imports")).status_code == 200
    client.force_login(office.admin)
    page = client.get(reverse("office:audit")).content.decode()
    assert "Роль сотрудника" in page and "Оператор" in page and "Бухгалтер" in page


def test_it_refuses_an_accountant_request_changes_even_through_the_service(world, office) -> None:
    from django.core.exceptions import ValidationError

    from kabinet.helpdesk.services import request_transition

    with pytest.raises(ValidationError, match="только сотрудник"):
        request_transition(request=office.request, to="in_work", by=office.accountant)
    request_transition(request=office.request, to="in_work", by=office.operator)


def test_it_links_staff_to_the_office_from_the_portal_menu(client, world, office) -> None:
    client.force_login(office.operator)
    assert 'href="/office/"' in client.get(reverse("settings")).content.decode()
    client.force_login(world.holder)
    assert 'href="/office/"' not in client.get(reverse("settings")).content.decode()

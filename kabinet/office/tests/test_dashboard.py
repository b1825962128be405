"""«Сводка»: cabinets, bound share, readings of the month, online payments by day, requests."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from kabinet.helpdesk.tests.factories import make_request
from kabinet.office.tests.factories import make_staff
from kabinet.payments.models import Payment
from kabinet.users.models import User


def test_it_shows_the_figures_and_svg_charts(client, world) -> None:
    make_request(world.holder, world.account)
    Payment.objects.create(
        organisation=world.org,
        user=world.holder,
        amount=Decimal("1234.50"),
        total=Decimal("1234.50"),
        status=Payment.Status.SUCCEEDED,
        paid_at=timezone.now() - datetime.timedelta(hours=1),
    )
    client.force_login(make_staff(world.org, User.Role.ACCOUNTANT))

    page = client.get(reverse("office:home")).content.decode()

    assert "<dt>Кабинетов</dt><dd>3</dd>" in page
    assert "2 из 3 (67 %)" in page  # 1001 and 1002 bound, 2001 not
    assert "<dt>Открытых заявок</dt><dd>1</dd>" in page
    assert "1 · 1234,50 ₽" in page
    assert page.count('<svg class="chart"') == 3
    assert "Онлайн-оплаты по дням, ₽" in page

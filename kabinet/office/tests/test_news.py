"""News editor and outage notices: pinned for the affected buildings until the end, e-mailed."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from kabinet.accounts.tests.factories import link, make_user
from kabinet.billing.models import PersonalAccount
from kabinet.news.models import News
from kabinet.news.selectors import news_for_user, pinned_outages
from kabinet.office.models import AuditEntry
from kabinet.office.tests.factories import make_staff
from kabinet.users.models import User

LENINA = "г. Новосибирск, ул. Ленина, д. 1"
MIRA = "г. Новосибирск, ул. Мира, д. 3"


@pytest.fixture
def neighbour(world):  # type: ignore[no-untyped-def]
    """A resident of another building of the same organisation."""
    user = make_user("mira@example.com", first_name="Ольга")
    link(user, PersonalAccount.objects.get(organisation=world.org, number="2001"))
    return user


def _post_outage(client, **extra):  # type: ignore[no-untyped-def]
    data = {
        "kind": News.Kind.OUTAGE,
        "title": "Отключение холодной воды",
        "body": "Ремонт стояка.",
        "buildings": [LENINA],
        "starts_at": "2030-03-01T09:00",
        "ends_at": "2030-03-01T18:00",
        "is_published": "on",
    }
    data.update(extra)
    return client.post(reverse("office:news_new"), data)


def test_it_pins_an_outage_for_the_affected_building_until_it_ends_and_emails_them(
    client, world, neighbour, django_capture_on_commit_callbacks
) -> None:
    operator = make_staff(world.org, User.Role.OPERATOR)
    mail.outbox.clear()
    with time_machine.travel(datetime.datetime(2030, 3, 1, 8, 0, tzinfo=datetime.UTC), tick=False):
        client.force_login(operator)  # the session starts in the travelled time
        with django_capture_on_commit_callbacks(execute=True):
            response = _post_outage(client)
        assert response.status_code == 302
        item = News.objects.get()
        assert item.starts_at == datetime.datetime(2030, 3, 1, 2, 0, tzinfo=datetime.UTC)  # 09:00 НСК
        assert list(pinned_outages(world.holder)) == [item]
        assert list(pinned_outages(world.member)) == [item]
        assert list(pinned_outages(neighbour)) == []
        assert item not in news_for_user(neighbour)
    with time_machine.travel(datetime.datetime(2030, 3, 1, 12, 0, tzinfo=datetime.UTC), tick=False):
        assert list(pinned_outages(world.holder)) == []  # 19:00 НСК: over
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["holder@example.com", "member@example.com", "stranger@example.com"]
    assert mail.outbox[0].subject == "Отключение: Отключение холодной воды"
    assert AuditEntry.objects.get(action="news.save").after["buildings"] == [LENINA]


def test_it_refuses_an_outage_without_times_or_buildings(client, world) -> None:
    client.force_login(make_staff(world.org, User.Role.OPERATOR))
    page = _post_outage(client, ends_at="").content.decode()
    assert "Укажите начало и ожидаемое окончание работ." in page
    page = _post_outage(client, buildings=[]).content.decode()
    assert "Выберите дома, где отключение." in page
    page = _post_outage(client, ends_at="2030-03-01T08:00").content.decode()
    assert "Окончание должно быть позже начала." in page
    assert not News.objects.exists()


def test_it_keeps_plain_news_for_everyone_and_building_news_for_that_building(
    client, world, neighbour
) -> None:
    client.force_login(make_staff(world.org, User.Role.OPERATOR))
    client.post(reverse("office:news_new"), {"kind": "news", "title": "Для всех", "body": "Текст", "is_published": "on"})
    client.post(
        reverse("office:news_new"),
        {"kind": "news", "title": "Только Мира", "body": "Текст", "buildings": [MIRA], "is_published": "on"},
    )
    titles = lambda user: sorted(n.title for n in news_for_user(user))  # noqa: E731
    assert titles(neighbour) == ["Для всех", "Только Мира"]
    assert titles(world.holder) == ["Для всех"]

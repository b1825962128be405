"""The dashboard's news slot (outages and latest news) is cached per organisations and addresses
and news version: a change shows at once, an ended outage leaves at once, a neighbour never gets
another building's copy."""

import datetime

import pytest
import time_machine
from django.core.cache import caches
from django.template import Context, Template

from kabinet.accounts.tests.factories import link, make_user
from kabinet.billing.models import PersonalAccount
from kabinet.news.models import News, NewsBuilding
from kabinet.news.tests.factories import make_news

LENINA = "г. Новосибирск, ул. Ленина, д. 1"
SLOT = Template("{% load news_tags %}{% outage_notices user %}{% latest_news user %}")
NOW = datetime.datetime(2030, 3, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _empty_pages_cache() -> None:
    caches["pages"].clear()


def slot(user) -> str:  # type: ignore[no-untyped-def]
    return SLOT.render(Context({"user": user}))


def outage(world, title: str = "Отключение воды") -> News:  # type: ignore[no-untyped-def]
    item = make_news(
        world.org, title, kind=News.Kind.OUTAGE,
        starts_at=NOW, ends_at=NOW + datetime.timedelta(hours=6),
    )
    NewsBuilding.objects.create(news=item, address=LENINA)
    return item


@time_machine.travel(NOW, tick=False)
def test_an_outage_shows_only_in_its_building_whoever_read_first(world) -> None:
    neighbour = make_user("mira@example.com")
    link(neighbour, PersonalAccount.objects.get(organisation=world.org, number="2001"))
    outage(world)
    assert "Отключение воды" not in slot(neighbour)
    assert "Отключения в вашем доме" in slot(world.holder)
    assert "Отключения в вашем доме" not in slot(neighbour)


@time_machine.travel(NOW, tick=False)
def test_a_change_of_news_or_buildings_shows_at_once(world) -> None:
    item = outage(world)
    assert "Отключение воды" in slot(world.holder)
    item.title = "Отключение горячей воды"
    item.save()
    assert "Отключение горячей воды" in slot(world.holder)
    NewsBuilding.objects.filter(news=item).update(address="г. Новосибирск, ул. Мира, д. 3")
    NewsBuilding.objects.create(news=item, address="г. Новосибирск, ул. Мира, д. 5")
    NewsBuilding.objects.filter(news=item, address__contains="Ленина").delete()
    assert "Отключения в вашем доме" not in slot(world.holder)
    make_news(world.org, "Собрание жильцов")
    assert "Собрание жильцов" in slot(world.holder)


def test_an_ended_outage_leaves_the_cached_slot_at_once(world) -> None:
    with time_machine.travel(NOW, tick=False):
        outage(world)
    # Read 30 seconds before the end and again 1 second after: the copy (kept 60 s) is still there.
    with time_machine.travel(NOW + datetime.timedelta(hours=6, seconds=-30), tick=False):
        assert "Отключения в вашем доме" in slot(world.holder)
    with time_machine.travel(NOW + datetime.timedelta(hours=6, seconds=1), tick=False):
        assert "Отключения в вашем доме" not in slot(world.holder)

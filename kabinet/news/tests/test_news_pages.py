"""News of the resident's organisations, optionally for one building; the FAQ."""

import datetime

from django.urls import reverse
from django.utils import timezone

from kabinet.billing.tests.factories import make_org
from kabinet.news.models import FaqItem
from kabinet.news.tests.factories import make_news


def test_it_shows_the_organisations_news_newest_first(client, world) -> None:
    make_news(world.org, "Отключение горячей воды", days_ago=3)
    make_news(world.org, "Новый тариф", days_ago=1)
    make_news(make_org("other"), "Новость другой УК")
    make_news(world.org, "Черновик", is_published=False)
    make_news(world.org, "Завтрашняя", published_at=timezone.now() + datetime.timedelta(days=1))
    client.force_login(world.holder)

    page = client.get(reverse("news")).content.decode()

    assert page.index("Новый тариф") < page.index("Отключение горячей воды")
    for hidden in ("Новость другой УК", "Черновик", "Завтрашняя"):
        assert hidden not in page


def test_it_shows_building_news_only_to_that_building(client, world) -> None:
    make_news(
        world.org, "Ремонт подъезда на Ленина, 1", address_prefix="г. Новосибирск, ул. Ленина, д. 1"
    )
    make_news(world.org, "Ремонт на Мира, 3", address_prefix="г. Новосибирск, ул. Мира, д. 3")
    client.force_login(world.holder)

    page = client.get(reverse("news")).content.decode()

    assert "Ремонт подъезда на Ленина, 1" in page
    assert "Ремонт на Мира, 3" not in page


def test_it_answers_404_for_news_not_meant_for_the_user(client, world) -> None:
    foreign = make_news(make_org("other"), "Чужая новость")
    elsewhere = make_news(world.org, "Другой дом", address_prefix="г. Бердск")
    own = make_news(world.org, "Своя новость", body="Подробности\n\nВторой абзац")
    client.force_login(world.holder)

    assert client.get(reverse("news_detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("news_detail", args=[elsewhere.pk])).status_code == 404
    response = client.get(reverse("news_detail", args=[own.pk]))
    assert response.status_code == 200
    assert "<p>Второй абзац</p>" in response.content.decode()


def test_it_answers_404_to_a_stranger_with_no_news(client, world) -> None:
    own = make_news(
        world.org, "Новость для дома", address_prefix="г. Новосибирск, ул. Ленина, д. 1"
    )
    outsider = make_news(make_org("other"), "Новость другой УК")
    client.force_login(world.stranger)  # 1002 is in the same building: sees the first one
    assert client.get(reverse("news_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("news_detail", args=[outsider.pk])).status_code == 404


def test_it_lists_news_in_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
) -> None:
    for number in range(30):
        make_news(world.org, f"Новость {number}", days_ago=number)
    client.force_login(world.holder)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("news"))
    assert response.content.decode().count('class="news-item"') == 10


def test_it_shows_the_faq_of_the_users_organisations(client, world) -> None:
    FaqItem.objects.create(
        organisation=world.org, question="Как передать показания?", answer="В разделе «Показания»."
    )
    FaqItem.objects.create(organisation=make_org("other"), question="Чужой вопрос", answer="—")
    client.force_login(world.holder)

    page = client.get(reverse("faq")).content.decode()

    assert "Как передать показания?" in page
    assert "Чужой вопрос" not in page

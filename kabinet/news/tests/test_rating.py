"""«Оцените личный кабинет»: Отлично / Хорошо / Удовлетворительно / Плохо, with results."""

from django.urls import reverse

from kabinet.accounts.tests.factories import make_user
from kabinet.news.models import PortalVote


def test_it_counts_one_changeable_vote_per_cabinet_and_shows_results(client, world) -> None:
    client.force_login(world.holder)
    client.post(reverse("rating"), {"mark": PortalVote.Mark.POOR})
    client.post(reverse("rating"), {"mark": PortalVote.Mark.EXCELLENT})
    client.force_login(world.member)
    client.post(reverse("rating"), {"mark": PortalVote.Mark.EXCELLENT})
    client.force_login(world.stranger)
    response = client.post(reverse("rating"), {"mark": PortalVote.Mark.GOOD}, follow=True)

    assert PortalVote.objects.count() == 3
    results = {row["label"]: (row["count"], row["percent"]) for row in response.context["results"]}
    assert results == {
        "Отлично": (2, 67),
        "Хорошо": (1, 33),
        "Удовлетворительно": (0, 0),
        "Плохо": (0, 0),
    }
    assert "Спасибо! Ваша оценка учтена." in response.content.decode()


def test_it_refuses_a_mark_that_is_not_offered(client, world) -> None:
    client.force_login(world.holder)
    response = client.post(reverse("rating"), {"mark": 9})

    assert response.status_code == 400
    assert not PortalVote.objects.exists()


def test_it_offers_the_poll_on_the_news_page(client, db) -> None:
    client.force_login(make_user("reader@example.com"))
    page = client.get(reverse("news")).content.decode()
    for label in (
        "Оцените личный кабинет",
        "Отлично",
        "Хорошо",
        "Удовлетворительно",
        "Плохо",
        "Результаты",
    ):
        assert label in page

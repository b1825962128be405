"""`{% latest_news user %}` for the dashboard slot."""

from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template

from kabinet.billing.tests.factories import make_org
from kabinet.news.tests.factories import make_news

TEMPLATE = Template("{% load news_tags %}{% latest_news user %}")


def test_it_renders_the_three_newest_news_of_the_user(world, rf) -> None:
    for number in range(5):
        make_news(world.org, f"Новость {number}", days_ago=number)
    make_news(make_org("other"), "Чужая")

    html = TEMPLATE.render(Context({"user": world.holder}))

    assert "Новость 0" in html and "Новость 2" in html
    assert "Новость 3" not in html and "Чужая" not in html
    assert html.index("Новость 0") < html.index("Новость 1")
    assert 'href="/news/"' in html


def test_it_says_there_is_no_news(world) -> None:
    html = TEMPLATE.render(Context({"user": world.stranger}))
    assert "Новостей пока нет." in html


def test_it_renders_nothing_private_for_an_anonymous_visitor(world) -> None:
    make_news(world.org, "Новость УК")
    html = TEMPLATE.render(Context({"user": AnonymousUser()}))
    assert "Новость УК" not in html

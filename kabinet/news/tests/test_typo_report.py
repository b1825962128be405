"""«Заметили ошибку в тексте? Выделите её мышкой и нажмите Ctrl+Enter» (seed 001)."""

from django.core import mail
from django.urls import reverse

from kabinet.accounts.tests.factories import make_user
from kabinet.news.models import TypoReport


def test_it_offers_the_hint_and_the_script_on_every_page_without_inline_script(client, db) -> None:
    page = client.get(reverse("index")).content.decode()

    assert "Заметили ошибку в тексте? Выделите её мышкой и нажмите Ctrl+Enter" in page
    assert 'src="/static/news/typo.js"' in page
    assert "<script>" not in page
    assert 'action="/typo/"' in page


def test_it_emails_the_organisation_a_report(
    client, world, django_capture_on_commit_callbacks
) -> None:
    world.org.email = "uk@example.org"
    world.org.save()
    client.force_login(world.holder)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("typo_report"),
            {"fragment": "Начисленно", "comment": "Начислено", "page_url": "/news/"},
        )

    assert response.status_code == 302
    assert response["Location"] == "/news/"
    report = TypoReport.objects.get()
    assert (report.organisation, report.reporter, report.fragment) == (
        world.org,
        world.holder,
        "Начисленно",
    )
    (message,) = mail.outbox
    assert message.to == ["uk@example.org"]
    assert "Начисленно" in message.body and "/news/" in message.body


def test_it_emails_the_staff_when_the_organisation_has_no_address(
    client, world, django_capture_on_commit_callbacks
) -> None:
    make_user("op1@example.com", is_staff=True, organisation=world.org)
    make_user("not-staff@example.com", organisation=world.org)
    client.force_login(world.holder)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("typo_report"), {"fragment": "опечтка", "page_url": "/"})

    assert [m.to for m in mail.outbox] == [["op1@example.com"]]


def test_it_sends_an_anonymous_report_to_the_platform_administrators(
    client, db, django_capture_on_commit_callbacks
) -> None:
    make_user("root@example.com", is_staff=True, is_superuser=True)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("typo_report"),
            {"fragment": "Личный кабниет", "page_url": "https://evil.example/"},
        )

    report = TypoReport.objects.get()
    assert report.organisation is None
    assert report.page_url == "/"  # never a redirect to another site
    assert [m.to for m in mail.outbox] == [["root@example.com"]]


def test_it_refuses_an_empty_fragment(client, db) -> None:
    response = client.post(reverse("typo_report"), {"fragment": "  ", "page_url": "/"}, follow=True)

    assert not TypoReport.objects.exists()
    assert "Выделите мышкой текст с ошибкой" in response.content.decode()


def test_it_limits_the_number_of_reports(client, db) -> None:
    for _ in range(12):
        client.post(reverse("typo_report"), {"fragment": "спам", "page_url": "/"})
    assert TypoReport.objects.count() == 10

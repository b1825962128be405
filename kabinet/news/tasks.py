"""Mail to operators about typo reports, retried by the job queue if the mail server fails."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def typo_report_email(report_id: int) -> None:
    from kabinet.news.models import TypoReport
    from kabinet.news.services import operator_emails

    report = TypoReport.objects.select_related("organisation").get(pk=report_id)
    recipients = operator_emails(report.organisation)
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Опечатка на портале")
        body = _("Страница: %(url)s\n\nФрагмент:\n%(fragment)s\n\nКомментарий:\n%(comment)s\n") % {
            "url": settings.SITE_URL + report.page_url,
            "fragment": report.fragment,
            "comment": report.comment or "—",
        }
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def outage_email(news_id: int) -> None:
    """An outage notice, at once, to every cabinet with an account in an affected building."""
    from django.utils import timezone as tz

    from kabinet.accounts.models import AccountLink
    from kabinet.news.models import News

    news = News.objects.select_related("organisation").get(pk=news_id)
    addresses = list(news.buildings.values_list("address", flat=True))
    recipients = sorted(
        set(
            AccountLink.objects.filter(
                account__organisation=news.organisation, account__address__in=addresses
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    zone = news.organisation.tz
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Отключение: %(title)s") % {"title": news.title}
        body = _("%(org)s сообщает:\n\n%(title)s\nС %(start)s до %(end)s (ожидаемое окончание).\n\n%(body)s\n") % {
            "org": news.organisation,
            "title": news.title,
            "start": tz.localtime(news.starts_at, zone).strftime("%d.%m.%Y %H:%M") if news.starts_at else "—",
            "end": tz.localtime(news.ends_at, zone).strftime("%d.%m.%Y %H:%M") if news.ends_at else "—",
            "body": news.body,
        }
    for to in recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])

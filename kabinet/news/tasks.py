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

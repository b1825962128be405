"""Background jobs of the meters app: the reminder e-mail, and the daily run that sends them."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from kabinet.orgs.models import Organisation
from kabinet.users.models import User


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def send_reading_reminder(*, user_id: int, organisation_id: int, accounts: list[str], closes: str) -> None:
    """The window is open and these accounts have no readings yet: tell the person so."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    org = Organisation.objects.filter(pk=organisation_id).first()
    if user is None or org is None or not user.email:
        return
    link = settings.SITE_URL + reverse("readings")
    body = _(
        "Здравствуйте!\n\n"
        "%(org)s принимает показания приборов учёта до %(closes)s (местное время).\n"
        "По лицевым счетам %(accounts)s показания в этом месяце ещё не переданы.\n\n"
        "Передать показания: %(link)s\n\n"
        "Вы получили это письмо, потому что включили напоминания о показаниях. Отключить их "
        "можно на той же странице."
    ) % {"org": org, "closes": closes, "accounts": ", ".join(accounts), "link": link}
    send_mail(
        _("Приём показаний открыт: %(org)s") % {"org": org},
        body,
        None,
        [user.email],
    )


@shared_task
def send_reading_reminders() -> int:
    """For Celery beat, daily: the same as `manage.py send_reading_reminders`."""
    from kabinet.meters.services import reading_reminders_send

    return reading_reminders_send()

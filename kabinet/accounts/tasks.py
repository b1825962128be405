"""Background jobs: the payment document by e-mail, one at a time or as the monthly mailing."""

import datetime

from celery import shared_task
from django.core.mail import EmailMessage
from django.db.models import Q
from django.utils.translation import gettext as _

from kabinet.accounts.models import AccountLink
from kabinet.billing.epd import epd_for, month_name, render_epd
from kabinet.billing.models import Period, PersonalAccount


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def epd_mail(account_id: int, month: str, email: str) -> bool:
    """Render the ЕПД and send it as an attachment; False when the period is not published."""
    account = PersonalAccount.objects.select_related("organisation").get(pk=account_id)
    period = datetime.date.fromisoformat(month)
    epd = epd_for(account, period)
    if epd is None:
        return False
    message = EmailMessage(
        _("Платёжный документ за %(month)s, лицевой счёт %(number)s")
        % {"month": month_name(period), "number": account.number},
        _(
            "Здравствуйте!\n\nВо вложении — единый платёжный документ по лицевому счёту "
            "%(number)s (%(org)s) за %(month)s.\nОплатить его можно в личном кабинете или по "
            "QR-коду в приложении банка.\n"
        )
        % {"number": account.number, "org": account.organisation, "month": month_name(period)},
        to=[email],
    )
    message.attach(f"epd-{account.number}-{period:%Y-%m}.pdf", render_epd(epd), "application/pdf")
    message.send()
    return True


@shared_task
def epd_mailing(period_id: int) -> int:
    """Queue the period's ЕПД to every cabinet that asked for it by e-mail; returns how many.

    Asked means the account card's switch for this account, or «ежемесячный ЕПД на e-mail» in
    the profile, which covers all the cabinet's accounts.
    """
    period = Period.objects.get(pk=period_id)
    links = (
        AccountLink.objects.filter(
            Q(epd_by_email=True) | Q(user__notification_settings__epd_by_email=True),
            account__organisation_id=period.organisation_id,
            account__charges__period=period,
        )
        .exclude(user__email="")
        .values_list("account_id", "user__email")
        .distinct()
    )
    count = 0
    for account_id, email in links:
        epd_mail.delay(account_id, period.month.isoformat(), email)
        count += 1
    return count

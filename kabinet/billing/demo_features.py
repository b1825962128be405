"""The rest of the demo: what a resident sees besides charges, so every feature has something
to show — news, FAQ, request types with prices, requests in every status, an answered appeal, a
family member sharing an account, and reading windows open at one organisation and closed at the
other on the day the demo is loaded.

Safe to run again: everything is found or refreshed, never duplicated.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from kabinet.accounts.models import AccountLink
from kabinet.billing.models import PersonalAccount
from kabinet.helpdesk import services as helpdesk
from kabinet.helpdesk.models import Appeal, RequestType, ServiceRequest
from kabinet.news.models import FaqItem, News
from kabinet.orgs.models import Organisation
from kabinet.users.models import User

NEWS = (
    ("Поверка счётчиков воды: как не остаться без учёта", "Проверьте дату поверки в разделе «Показания»: "
     "после её окончания показания не принимаются, и начисление идёт по нормативу.", 2),
    ("Новый способ оплаты", "Оплатить услуги теперь можно в личном кабинете картой любого банка.", 9),
)
FAQ = (
    ("Как передать показания?", "Откройте «Показания», введите значения всех зон счётчика и нажмите "
     "«Передать показания». Показания принимаются в дни, указанные на странице."),
    ("Почему сумма к оплате отличается от начисленной?", "К оплате — начисленное за месяц с учётом долга "
     "или переплаты на начало месяца, перерасчётов, льгот и платежей."),
    ("Как открыть доступ к лицевому счёту члену семьи?", "На карточке лицевого счёта выберите «Доступ для "
     "членов семьи» и укажите e-mail: придёт приглашение."),
)
REQUEST_REASONS = {
    ServiceRequest.Status.NEW: "Подтекает кран на кухне",
    ServiceRequest.Status.IN_WORK: "Не работает розетка в коридоре",
    ServiceRequest.Status.DONE: "Засор в ванной",
    ServiceRequest.Status.CLOSED: "Замена счётчика холодной воды",
    ServiceRequest.Status.CANCELLED_CLIENT: "Снять показания электросчётчика",
    ServiceRequest.Status.CANCELLED_STAFF: "Поверка счётчика горячей воды",
}


def _window_days(today: datetime.date, *, open_today: bool) -> tuple[int, int]:
    """A window of a few days of every month that contains today, or one that does not."""
    if open_today:
        return max(1, today.day - 3), min(28, max(today.day, 4) + 4)
    return (20, 25) if today.day < 16 else (3, 8)


@transaction.atomic
def demo_features(
    *, organisations: list[Organisation], resident: User, password: str, today: datetime.date
) -> list[str]:
    """Add the features to the demo; returns the lines the demo command prints about them."""
    lines: list[str] = []
    now = timezone.now()
    for org in organisations:
        helpdesk.request_types_ensure(organisation=org)
        for title, body, days_ago in NEWS:
            News.objects.update_or_create(
                organisation=org,
                title=title,
                defaults={"body": body, "published_at": now - datetime.timedelta(days=days_ago)},
            )
        for position, (question, answer) in enumerate(FAQ, start=1):
            FaqItem.objects.update_or_create(
                organisation=org, question=question, defaults={"answer": answer, "position": position}
            )
    paid = RequestType.objects.filter(organisation__in=organisations, is_paid=True).count()
    lines.append(f"Новости, вопросы-ответы и типы заявок (платных: {paid}, с ценами) у обеих организаций")

    # Reading windows: open today at the first organisation (it has the meters), closed at the
    # second, so both states show whichever day the demo is loaded on.
    for org, open_today in zip(organisations, (True, False), strict=False):
        first, last = _window_days(today, open_today=open_today)
        org.reading_first_day, org.reading_last_day = first, last
        update = ["reading_first_day", "reading_last_day"]
        if "показания" in org.banner:
            # The banner that announces the window says the days the window really has.
            org.banner = f"С {first} по {last} число принимаем показания приборов учёта."
            update.append("banner")
        org.save(update_fields=update)
        state = "открыт сегодня" if open_today else "сегодня закрыт"
        lines.append(f"Приём показаний «{org}»: с {first} по {last} число каждого месяца — {state}")

    accounts = list(
        PersonalAccount.objects.filter(links__user=resident, organisation__in=organisations)
        .select_related("organisation")
        .order_by("organisation__code")
    )
    main = next((a for a in accounts if a.organisation_id == organisations[0].pk), None)
    if main is None:
        return lines

    family, _ = User.objects.update_or_create(
        username="family@kabinet.local",
        defaults={"email": "family@kabinet.local", "first_name": "Пётр", "last_name": "Иванов"},
    )
    family.set_password(password)
    family.save()
    AccountLink.objects.get_or_create(
        user=family, account=main, defaults={"role": AccountLink.Role.MEMBER, "invited_by": resident}
    )
    lines.append(
        f"Член семьи с доступом к лицевому счёту {main.number}: e-mail {family.email}, пароль {password}"
    )

    if not ServiceRequest.objects.filter(author=resident).exists():
        types = list(RequestType.objects.filter(organisation=main.organisation).order_by("position"))
        for index, (status, reason) in enumerate(REQUEST_REASONS.items()):
            request = helpdesk.request_create(
                author=resident,
                account=main,
                type=types[index % len(types)],
                reason=reason,
                desired_date=today + datetime.timedelta(days=2 + index),
                time_slot=ServiceRequest.TimeSlot.MORNING,
            )
            if status != ServiceRequest.Status.NEW:
                ServiceRequest.objects.filter(pk=request.pk).update(status=status)
    lines.append("Заявки жителя: по одной в каждом статусе (" + ", ".join(str(s.label) for s in REQUEST_REASONS) + ")")

    if not Appeal.objects.filter(author=resident).exists():
        appeal = helpdesk.appeal_create(
            author=resident,
            account=main,
            topic=Appeal.Topic.CHARGES,
            text="Почему в прошлом месяце выросла плата за отопление?",
            contact=resident.email,
        )
        operator = User.objects.filter(organisation=main.organisation, is_staff=True).first()
        if operator is not None:
            helpdesk.appeal_reply(
                appeal=appeal, by=operator, text="С 1 июля изменился тариф на тепловую энергию."
            )
    lines.append("Обращение жителя с ответом оператора")
    return lines

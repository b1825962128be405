"""Everything that changes which cabinet holds which personal account.

Binding is two steps, like the seed systems: `account_bind_check` finds the account from its number,
the owner's surname (and apartment, where the account has one) or the ИНН of a legal entity,
and one secret that only the person who receives the paper bill has (SPEC 2.2): «Сумма к
оплате» of the latest published ЕПД, or the code the organisation prints on its bills, as the
organisation chose (Organisation.binding_secret). Surname, address and apartment are not
secrets: a neighbour knows them. The person confirms the masked preview; `account_bind` then
links it and e-mails the account's other holders. A failed check never says which field was
wrong, and failures are counted per cabinet, per account number and per IP address
(kabinet/lib/ratelimit.py).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.accounts.models import AccountLink, Invitation
from kabinet.billing.models import ZERO, Period, PersonalAccount
from kabinet.billing.selectors import account_summaries
from kabinet.lib import ratelimit
from kabinet.orgs.models import Organisation
from kabinet.users.models import User


class AccountError(Exception):
    """A refusal the person can act on; the message is shown as it is."""


def normalise(value: str) -> str:
    """Case-insensitive, ё = е, spaces collapsed: how people type names and addresses."""
    return " ".join(value.casefold().replace("ё", "е").split())


def owner_surname(account: PersonalAccount) -> str:
    words = account.owner_name.split()
    return normalise(words[0]) if words else ""


def mask_name(owner_name: str) -> str:
    """«Иванов Иван Иванович» -> «Ив**** И. И.»: enough to recognise, not enough to learn."""
    words = owner_name.split()
    if not words:
        return ""
    first = words[0]
    shown = first[:2] + "*" * max(len(first) - 2, 1)
    return " ".join([shown, *(f"{word[0]}." for word in words[1:])])


def mask_email(email: str) -> str:
    """«anna.petrova@mail.ru» -> «an***@mail.ru»."""
    local, _at, domain = email.partition("@")
    if not domain:
        return ""
    return f"{local[:2]}***@{domain}"


def person_name(user: User) -> str:
    """«Фамилия Имя Отчество» of a cabinet, as far as it is filled in."""
    parts = (user.last_name, user.first_name, getattr(user, "middle_name", ""))
    return " ".join(part for part in parts if part)


def _identity_matches(account: PersonalAccount, *, surname: str, apartment: str, inn: str) -> bool:
    """The non-secret part: surname and apartment, or the ИНН of a legal entity."""
    if account.owner_inn:
        return bool(inn) and inn.strip() == account.owner_inn
    if not surname or normalise(surname) != owner_surname(account):
        return False
    if account.apartment:
        return normalise(apartment) == normalise(account.apartment)
    return True


def parse_amount(value: str) -> Decimal | None:
    """«1 234,56», «1234.56 руб.» -> Decimal('1234.56'); None when it is not an amount."""
    text = re.sub(r"\s+|руб\.?|₽", "", value.casefold().replace("\u00a0", ""))
    text = text.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", text):
        return None
    try:
        return Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def bill_amount(account: PersonalAccount) -> Decimal | None:
    """The amount that is the binding secret: «Сумма к оплате» of the latest published ЕПД, or,
    where that is zero or an advance, «Начислено» of that period. None before any publication.

    The rule for what the ЕПД asks to pay comes from `kabinet.billing.selectors.account_summaries`
    (its latest published Month), the same figures the ЕПД prints."""
    latest = account_summaries([account])[account.pk].latest
    if latest is None:
        return None
    to_pay = latest.total_to_pay
    return (to_pay if to_pay > ZERO else latest.charged).quantize(Decimal("0.01"))


def _secret_matches(account: PersonalAccount, secret: str) -> bool:
    if account.organisation.binding_secret == Organisation.BindingSecret.PIN:
        pin = account.pin.strip()
        given = "".join(secret.split())
        return bool(pin) and constant_time_compare(given.casefold(), pin.casefold())
    expected = bill_amount(account)
    given_amount = parse_amount(secret)
    return expected is not None and given_amount is not None and given_amount == expected


BIND_REFUSED = gettext_lazy(
    "Лицевой счёт с такими данными не найден. Проверьте номер лицевого счёта, данные владельца "
    "и сумму или код из последней квитанции."
)
BIND_BLOCKED = gettext_lazy(
    "Слишком много неудачных попыток. Попробуйте через %(wait)s или обратитесь в свою "
    "организацию."
)

# Failed binding checks: per cabinet and per IP address over an hour, and per account number over
# a day whichever cabinets and addresses try it, so that many of them cannot share the guessing
# of one bill (the amount has few plausible values). (scope, limit, window in seconds)
BIND_LIMITS = (
    ("bind-fail-user", 5, 3600),
    ("bind-fail-ip", 20, 3600),
    ("bind-fail-account", 10, 24 * 3600),
)
FIND_LIMITS = (("find-fail-user", 5, 3600), ("find-fail-ip", 20, 3600))

Counter = tuple[str, str, int, int]


def _counters(
    limits: tuple[tuple[str, int, int], ...], user: User, ip: str, number: str = ""
) -> list[Counter]:
    keys = {"user": str(user.pk), "ip": ip, "account": normalise(number)}
    return [
        (scope, keys[scope.rsplit("-", 1)[1]], limit, window) for scope, limit, window in limits
    ]


def _blocked(counters: list[Counter]) -> int:
    """Seconds to wait when any counter is full; 0 when the attempt may go on."""
    waits = [
        ratelimit.peek(scope, key, limit=limit, window=window).retry_after
        for scope, key, limit, window in counters
    ]
    return max(waits, default=0)


def _failed(counters: list[Counter]) -> None:
    for scope, key, limit, window in counters:
        ratelimit.hit(scope, key, limit=limit, window=window)


def account_bind_check(
    *,
    user: User,
    ip: str,
    number: str,
    secret: str = "",
    surname: str = "",
    apartment: str = "",
    inn: str = "",
) -> PersonalAccount:
    """The account these data identify, or AccountError with one message for every mismatch."""
    counters = _counters(BIND_LIMITS, user, ip, number)
    wait = _blocked(counters)
    if wait:
        raise AccountError(str(BIND_BLOCKED) % {"wait": ratelimit.wait_text(wait)})
    candidates = [
        account
        for account in PersonalAccount.objects.filter(number=number.strip()).select_related(
            "organisation"
        )
        if _identity_matches(account, surname=surname, apartment=apartment, inn=inn)
        and _secret_matches(account, secret)
    ]
    if len(candidates) != 1:
        _failed(counters)
        raise AccountError(str(BIND_REFUSED))
    return candidates[0]


def _notify_holders(link_id: int) -> None:
    """Tell every other holder at once that another cabinet now holds their account."""
    from kabinet.users.tasks import deliver_email

    link = AccountLink.objects.select_related("account__organisation", "user").get(pk=link_id)
    account = link.account
    newcomer = link.user
    who = mask_name(person_name(newcomer)) or mask_email(newcomer.email) or _("без имени")
    holders = (
        AccountLink.objects.filter(account=account, role=AccountLink.Role.HOLDER)
        .exclude(pk=link.pk)
        .select_related("user")
    )
    url = settings.SITE_URL + reverse("account_share", args=[account.pk])
    subject = _("К вашему лицевому счёту %(number)s привязан ещё один кабинет") % {
        "number": account.number
    }
    text = _(
        "Здравствуйте!\n\nК лицевому счёту %(number)s (%(org)s) только что привязан ещё один "
        "личный кабинет (%(who)s).\n\nЕсли вы не знаете, кто это, откройте страницу доступа и "
        "уберите этот кабинет, а также сообщите в свою организацию:\n%(url)s\n"
    ) % {"number": account.number, "org": account.organisation, "who": who, "url": url}
    for holder in holders:
        if holder.user.email:
            deliver_email.delay(subject, holder.user.email, text, linebreaks(escape(text)))


def account_bind(*, user: User, account: PersonalAccount) -> AccountLink:
    """Link a checked account to the cabinet as its holder, within the organisation's limit;
    the account's other holders are e-mailed."""
    with transaction.atomic():
        # Serialise binds of one cabinet so two tabs cannot both pass the limit.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if AccountLink.objects.filter(user=user, account=account).exists():
            raise AccountError(_("Этот лицевой счёт уже привязан к вашему кабинету."))
        org = account.organisation
        bound = AccountLink.objects.filter(
            user=user, account__organisation=org, role=AccountLink.Role.HOLDER
        ).count()
        if bound >= org.max_accounts_per_user:
            raise AccountError(
                _(
                    "В кабинете уже %(count)s лицевых счетов организации «%(org)s» — это "
                    "наибольшее число. Отвяжите ненужный счёт, чтобы добавить новый."
                )
                % {"count": bound, "org": org}
            )
        link = AccountLink.objects.create(user=user, account=account, role=AccountLink.Role.HOLDER)
        if AccountLink.objects.filter(account=account, role=AccountLink.Role.HOLDER).exclude(
            pk=link.pk
        ).exists():
            transaction.on_commit(lambda: _notify_holders(link.pk))
        return link


def holder_remove(*, user: User, account: PersonalAccount, link_id: int) -> None:
    """A holder removes another holder of the account (someone who bound it without right),
    with the family members that holder let in and their open invitations."""
    with transaction.atomic():
        link = (
            AccountLink.objects.select_for_update()
            .filter(pk=link_id, account=account, role=AccountLink.Role.HOLDER)
            .exclude(user=user)
            .first()
        )
        if link is None:
            raise AccountError(_("Этого кабинета уже нет среди владельцев счёта."))
        AccountLink.objects.filter(
            account=account, role=AccountLink.Role.MEMBER, invited_by_id=link.user_id
        ).delete()
        Invitation.objects.filter(
            account=account, invited_by_id=link.user_id, accepted_at=None, revoked_at=None
        ).update(revoked_at=timezone.now())
        link.delete()


def account_unbind(*, user: User, account: PersonalAccount) -> None:
    """Remove the holder's link, the family members they let in, and their open invitations."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        link = AccountLink.objects.get(user=user, account=account, role=AccountLink.Role.HOLDER)
        others = AccountLink.objects.filter(user=user).exclude(pk=link.pk).count()
        if account.organisation.keep_one_account and others == 0:
            raise AccountError(
                _(
                    "В личном кабинете должен быть привязан хотя бы один лицевой счёт. "
                    "Сначала привяжите другой счёт."
                )
            )
        AccountLink.objects.filter(
            account=account, role=AccountLink.Role.MEMBER, invited_by=user
        ).delete()
        Invitation.objects.filter(
            account=account, invited_by=user, accepted_at=None, revoked_at=None
        ).update(revoked_at=timezone.now())
        link.delete()


# --- sharing with family members -------------------------------------------------------------


def sender_display_name(user: User) -> str:
    """The inviter as the e-mail's sender name: «Иван И. через Кабинет».

    Names are free text people type; in the message only letters of the first name and the
    initial of the surname remain, and only in the From header's display name, never in the body.
    """

    def letters(text: str) -> str:
        kept = "".join(ch if ch.isalpha() or ch in " -" else " " for ch in text)
        return " ".join(kept.split())

    first = letters(user.first_name)[:30]
    initial = letters(user.last_name)[:1]
    name = " ".join(part for part in (first, f"{initial}." if initial else "") if part)
    return _("%(name)s через Кабинет") % {"name": name} if name else _("Кабинет")


def _send_invitation(invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("account__organisation", "invited_by").get(
        pk=invitation_id
    )
    url = settings.SITE_URL + reverse("invitation_accept", args=[invitation.token])
    # The portal's own words only; who invited is the sender's display name.
    _display, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    # Only letters, spaces, hyphens and a dot: safe inside quotes; Django encodes it for the header.
    sender = f'"{sender_display_name(invitation.invited_by)}" <{address}>'
    send_mail(
        _("Вам открыли доступ к лицевому счёту"),
        _(
            "Владелец лицевого счёта %(number)s (%(org)s) приглашает вас в личный кабинет: "
            "смотреть начисления, оплачивать и передавать показания.\n\n"
            "Войдите в кабинет с этим адресом e-mail и откройте ссылку:\n%(url)s\n\n"
            "Если вы не ждали приглашения, ничего не делайте: без входа по ссылке доступа не будет.\n"
        )
        % {
            "number": invitation.account.number,
            "org": invitation.account.organisation,
            "url": url,
        },
        sender,
        [invitation.email],
    )


# Invitations a cabinet may send a day: enough for a family, too few to send spam through us.
INVITATIONS_PER_DAY = 10


def invitation_create(*, account: PersonalAccount, invited_by: User, email: str) -> Invitation:
    email = email.strip()
    if not ratelimit.peek(
        "invite-user", str(invited_by.pk), limit=INVITATIONS_PER_DAY, window=24 * 3600
    ):
        raise AccountError(
            _("За сутки можно отправить не больше %(count)s приглашений. Попробуйте завтра.")
            % {"count": INVITATIONS_PER_DAY}
        )
    with transaction.atomic():
        if invited_by.email and email.casefold() == invited_by.email.casefold():
            raise AccountError(_("Это ваш собственный адрес: пригласите другого человека."))
        if AccountLink.objects.filter(account=account, user__email__iexact=email).exists():
            raise AccountError(_("У этого человека уже есть доступ к лицевому счёту."))
        if Invitation.objects.filter(
            account=account, email__iexact=email, accepted_at=None, revoked_at=None
        ).exists():
            raise AccountError(_("Приглашение на этот адрес уже отправлено."))
        invitation = Invitation.objects.create(account=account, invited_by=invited_by, email=email)
        transaction.on_commit(lambda: _send_invitation(invitation.pk))
    ratelimit.hit("invite-user", str(invited_by.pk), limit=INVITATIONS_PER_DAY, window=24 * 3600)
    return invitation


def invitation_accept(*, invitation: Invitation, user: User) -> AccountLink:
    """The invitee (signed in with the invited e-mail) gets read, pay and readings rights."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_pending or not user.email:
            raise AccountError(_("Приглашение уже использовано или отозвано."))
        if user.email.casefold() != invitation.email.casefold():
            raise AccountError(_("Приглашение отправлено на другой адрес e-mail."))
        link, _created = AccountLink.objects.get_or_create(
            user=user,
            account=invitation.account,
            defaults={"role": AccountLink.Role.MEMBER, "invited_by": invitation.invited_by},
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return link


def invitation_revoke(*, invitation: Invitation) -> None:
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
            revoked_at=timezone.now()
        )


def member_remove(*, account: PersonalAccount, member_link_id: int) -> None:
    """The holder takes a family member's access away."""
    with transaction.atomic():
        AccountLink.objects.filter(
            pk=member_link_id, account=account, role=AccountLink.Role.MEMBER
        ).delete()


# --- finding one's account and notifications -------------------------------------------------


def account_find(*, user: User, ip: str, address: str, apartment: str, surname: str) -> str:
    """The account number on an exact match of address, apartment and surname; else AccountError."""
    counters = _counters(FIND_LIMITS, user, ip)
    wait = _blocked(counters)
    if wait:
        raise AccountError(str(BIND_BLOCKED) % {"wait": ratelimit.wait_text(wait)})
    wanted = normalise(address)
    matches = [
        account.number
        for account in PersonalAccount.objects.filter(address__iexact=" ".join(address.split()))
        if normalise(account.address) == wanted
        and normalise(account.apartment) == normalise(apartment)
        and owner_surname(account) == normalise(surname)
        and owner_surname(account)
    ]
    if len(matches) != 1:
        _failed(counters)
        raise AccountError(
            _(
                "Точного совпадения не нашлось. Проверьте адрес так, как он написан в квитанции, "
                "или обратитесь в свою организацию."
            )
        )
    return matches[0]


def link_set_epd_by_email(*, link: AccountLink, enabled: bool) -> AccountLink:
    with transaction.atomic():
        link.epd_by_email = enabled
        link.save(update_fields=["epd_by_email"])
    return link


@dataclass(frozen=True)
class EpdRequest:
    account_id: int
    month: datetime.date
    email: str


def epd_email(*, user: User, account: PersonalAccount, period: Period) -> EpdRequest:
    """«Получить электронную версию платежного документа»: e-mail the PDF to the cabinet's address."""
    from kabinet.accounts.tasks import epd_mail

    if not user.email:
        raise AccountError(_("Укажите адрес e-mail в настройках кабинета, чтобы получить документ."))
    request = EpdRequest(account.pk, period.month, user.email)
    transaction.on_commit(
        lambda: epd_mail.delay(request.account_id, request.month.isoformat(), request.email)
    )
    return request

"""Everything that changes which cabinet holds which personal account.

Binding is two steps, like the seed systems: `account_bind_check` finds the account from its number
and a second factor (the owner's surname and apartment, or the ИНН of a legal entity) and the
person confirms the masked preview; `account_bind` then links it. A failed check never says which
field was wrong, and failures are counted per cabinet and per IP address (`ratelimit`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.accounts import ratelimit
from kabinet.accounts.models import AccountLink, Invitation
from kabinet.billing.models import Period, PersonalAccount
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


def _second_factor_matches(
    account: PersonalAccount, *, surname: str, apartment: str, inn: str
) -> bool:
    if account.owner_inn:
        return bool(inn) and inn.strip() == account.owner_inn
    if not surname or normalise(surname) != owner_surname(account):
        return False
    if account.apartment:
        return normalise(apartment) == normalise(account.apartment)
    return True


BIND_REFUSED = gettext_lazy(
    "Лицевой счёт с такими данными не найден. Проверьте номер лицевого счёта и данные владельца "
    "по квитанции."
)
BIND_BLOCKED = gettext_lazy(
    "Слишком много неудачных попыток. Попробуйте через час или обратитесь в свою организацию."
)


def account_bind_check(
    *,
    user: User,
    ip: str,
    number: str,
    surname: str = "",
    apartment: str = "",
    inn: str = "",
) -> PersonalAccount:
    """The account these data identify, or AccountError with one message for every mismatch."""
    if ratelimit.is_blocked(ratelimit.BIND, user_id=user.pk, ip=ip):
        raise AccountError(str(BIND_BLOCKED))
    candidates = [
        account
        for account in PersonalAccount.objects.filter(number=number.strip()).select_related(
            "organisation"
        )
        if _second_factor_matches(account, surname=surname, apartment=apartment, inn=inn)
    ]
    if len(candidates) != 1:
        ratelimit.record_failure(ratelimit.BIND, user_id=user.pk, ip=ip)
        raise AccountError(str(BIND_REFUSED))
    return candidates[0]


def account_bind(*, user: User, account: PersonalAccount) -> AccountLink:
    """Link a checked account to the cabinet as its holder, within the organisation's limit."""
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
        return AccountLink.objects.create(user=user, account=account, role=AccountLink.Role.HOLDER)


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


def invitation_create(*, account: PersonalAccount, invited_by: User, email: str) -> Invitation:
    email = email.strip()
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
    if ratelimit.is_blocked(ratelimit.FIND, user_id=user.pk, ip=ip):
        raise AccountError(str(BIND_BLOCKED))
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
        ratelimit.record_failure(ratelimit.FIND, user_id=user.pk, ip=ip)
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

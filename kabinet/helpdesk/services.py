"""Everything that changes requests and appeals. The resident views, the admin and any API call
these functions, so the status rules of SPEC 2.6 live here and nowhere else.

Request statuses:

    Принята в систему → В работе → Выполнена → Закрыта
    Принята в систему → Отменена клиентом        (the resident, only before «В работе»)
    Принята в систему | В работе → Отменена сотрудником   (an operator, with a reason)
"""

import datetime
from collections.abc import Sequence
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.accounts.access import Right, user_can
from kabinet.billing.models import PersonalAccount
from kabinet.helpdesk import tasks
from kabinet.helpdesk.models import (
    Appeal,
    AppealMessage,
    Attachment,
    RequestComment,
    RequestStatusChange,
    RequestType,
    ServiceRequest,
)
from kabinet.helpdesk.uploads import check_photos
from kabinet.office.audit import audit_record
from kabinet.orgs.models import Organisation

Status = ServiceRequest.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.IN_WORK, Status.CANCELLED_CLIENT, Status.CANCELLED_STAFF}),
    Status.IN_WORK: frozenset({Status.DONE, Status.CANCELLED_STAFF}),
    Status.DONE: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
    Status.CANCELLED_CLIENT: frozenset(),
    Status.CANCELLED_STAFF: frozenset(),
}
# The only move a resident makes; every other one is the organisation's.
RESIDENT_TRANSITIONS = frozenset({Status.CANCELLED_CLIENT})

# Seed 002 lists the first three; the paid ones are examples an operator edits or removes.
DEFAULT_REQUEST_TYPES: tuple[tuple[str, Decimal | None], ...] = (
    ("Ввод прибора учёта в эксплуатацию", None),
    ("Снятие показаний", None),
    ("Внеплановая проверка прибора учёта по заявке потребителя", None),
    ("Замена прибора учёта воды", Decimal("1500.00")),
    ("Поверка прибора учёта воды на дому", Decimal("800.00")),
    ("Прочистка канализации", Decimal("1200.00")),
    ("Вызов электрика", Decimal("600.00")),
)


class TransitionRefused(ValidationError):
    """This status change is not allowed from here, or not for this person."""


def is_operator(user: Any, organisation_id: int) -> bool:
    """Staff of this organisation whose role covers requests and appeals (not «Бухгалтер»,
    SPEC 2.7), or a platform administrator."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return False
    if user.is_superuser:
        return True
    # A blank role is staff made before roles existed; the admin's permissions still apply.
    return user.organisation_id == organisation_id and user.org_role != "accountant"


# --- the catalogue -----------------------------------------------------------------------------


def request_types_ensure(*, organisation: Organisation) -> None:
    """Give an organisation that has no catalogue yet the default one (called lazily)."""
    if RequestType.objects.filter(organisation=organisation).exists():
        return
    RequestType.objects.bulk_create(
        [
            RequestType(
                organisation=organisation,
                name=name,
                is_paid=price is not None,
                price=price,
                position=position,
            )
            for position, (name, price) in enumerate(DEFAULT_REQUEST_TYPES, start=1)
        ],
        # Two first visitors at once: the second one's rows are simply the same.
        ignore_conflicts=True,
    )


# --- requests ----------------------------------------------------------------------------------

# How far ahead a resident may ask for a visit.
DESIRED_DATE_AHEAD = datetime.timedelta(days=90)


def request_due_at(*, type: RequestType, created_at: datetime.datetime) -> datetime.datetime:
    """«Срок исполнения»: the type's hours for an emergency, else the end of the N-th working day
    (Monday to Friday) after the day the request came in, in the organisation's time zone."""
    if type.deadline_hours:
        return created_at + datetime.timedelta(hours=type.deadline_hours)
    tz = type.organisation.tz
    day = created_at.astimezone(tz).date()
    left = type.deadline_days
    while left:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tz)



def _save_attachments(files: Sequence[UploadedFile], **owner: Any) -> None:
    for checked in check_photos(files):
        upload = checked.upload
        Attachment.objects.create(
            file=upload,
            name=(upload.name or "photo")[:200],
            content_type=checked.content_type,
            size=upload.size or 0,
            **owner,
        )


def request_create(
    *,
    author: Any,
    account: PersonalAccount,
    type: RequestType,
    reason: str,
    desired_date: datetime.date,
    time_slot: str,
    files: Sequence[UploadedFile] = (),
) -> ServiceRequest:
    """File a request for an account the author may read; the photos are checked first.

    Refused (ValidationError, with the field named) when the type belongs to another
    organisation or is withdrawn, the reason is empty, the time slot unknown, or the desired
    date lies in the past or more than 90 days ahead of the organisation's today.
    """
    if not user_can(author, account, Right.READ):
        raise ValidationError(_("Лицевой счёт не найден."), code="account")
    if type.organisation_id != account.organisation_id or not type.is_active:
        raise ValidationError(
            {
                "type": ValidationError(
                    _(
                        "Этот тип заявки принимает другая организация: выберите тип для своего "
                        "лицевого счёта."
                    ),
                    code="type",
                )
            }
        )
    if not reason.strip():
        raise ValidationError(
            {"reason": ValidationError(_("Опишите, что случилось."), code="reason")}
        )
    if time_slot not in ServiceRequest.TimeSlot.values:
        raise ValidationError(
            {"time_slot": ValidationError(_("Выберите время исполнения."), code="time_slot")}
        )
    # "Today" is the organisation's today, not the server's.
    today = timezone.localdate(timezone=account.organisation.tz)
    if desired_date < today:
        raise ValidationError(
            {
                "desired_date": ValidationError(
                    _("Дата исполнения не может быть в прошлом: выберите сегодня или позже."),
                    code="desired_date",
                )
            }
        )
    if desired_date > today + DESIRED_DATE_AHEAD:
        raise ValidationError(
            {
                "desired_date": ValidationError(
                    _("Выберите дату в ближайшие 90 дней."), code="desired_date"
                )
            }
        )
    check_photos(files)
    with transaction.atomic():
        request = ServiceRequest.objects.create(
            account=account,
            author=author,
            type=type,
            reason=reason.strip(),
            desired_date=desired_date,
            time_slot=time_slot,
        )
        request.due_at = request_due_at(type=type, created_at=request.created_at)
        request.save(update_fields=["due_at"])
        change = RequestStatusChange.objects.create(
            request=request, from_status="", to_status=Status.NEW, by=author
        )
        _save_attachments(files, request=request)
        transaction.on_commit(partial(tasks.request_status_email.delay, change.pk))
        transaction.on_commit(partial(tasks.staff_new_item_email.delay, "request", request.pk))
    return request


def resident_may_close(by: Any, account: Any, author_id: int | None) -> bool:
    """A request or appeal is cancelled or closed by whoever filed it or by a holder of the
    account; a family member cannot cancel what someone else filed (SPEC 2.2)."""
    if not user_can(by, account, Right.READ):
        return False
    return author_id == getattr(by, "pk", None) or user_can(by, account, Right.MANAGE)


def check_transition(*, request: ServiceRequest, to: str, by: Any, reason: str = "") -> None:
    """Raise TransitionRefused unless `by` may move `request` to `to` now."""
    current = Status(request.status)
    if to not in Status.values:
        raise TransitionRefused(_("Неизвестный статус заявки."))
    target = Status(to)
    if target not in TRANSITIONS[current]:
        if target == Status.CANCELLED_CLIENT and current == Status.IN_WORK:
            raise TransitionRefused(
                _("Заявка уже в работе, отменить её нельзя. Позвоните в организацию.")
            )
        raise TransitionRefused(
            _("Заявку в статусе «%(current)s» нельзя перевести в статус «%(target)s».")
            % {"current": current.label, "target": target.label}
        )
    organisation_id = request.account.organisation_id
    if target in RESIDENT_TRANSITIONS:
        if not resident_may_close(by, request.account, request.author_id):
            raise TransitionRefused(
                _("Отменить заявку может только её заявитель или владелец лицевого счёта.")
            )
    elif not is_operator(by, organisation_id):
        raise TransitionRefused(_("Этот статус ставит только сотрудник организации."))
    if target == Status.CANCELLED_STAFF and not reason.strip():
        raise TransitionRefused(_("Укажите причину отмены: её получит заявитель."))


def request_transition(
    *, request: ServiceRequest, to: str, by: Any, reason: str = ""
) -> RequestStatusChange:
    """Move a request to status `to`, record who did it and e-mail the resident."""
    with transaction.atomic():
        # The row is locked so that a cancel and «В работе» cannot both win.
        locked = (
            ServiceRequest.objects.select_for_update().select_related("account").get(pk=request.pk)
        )
        check_transition(request=locked, to=to, by=by, reason=reason)
        change = RequestStatusChange.objects.create(
            request=locked, from_status=locked.status, to_status=to, by=by, reason=reason.strip()
        )
        audit_record(
            actor=by,
            organisation=locked.account.organisation,
            action="request.status",
            obj=locked,
            before={"status": change.get_from_status_display()},
            after={"status": change.get_to_status_display(), "reason": reason.strip()},
        )
        locked.status = to
        if to == Status.CANCELLED_STAFF:
            locked.status_reason = reason.strip()
        locked.save(update_fields=["status", "status_reason", "updated_at"])
        transaction.on_commit(partial(tasks.request_status_email.delay, change.pk))
    request.status = locked.status
    request.status_reason = locked.status_reason
    request.updated_at = locked.updated_at
    return change


def request_comment(*, request: ServiceRequest, by: Any, text: str) -> RequestComment:
    """A comment from the resident or an operator; an operator's one is e-mailed to the resident."""
    text = text.strip()
    if not text:
        raise ValidationError(_("Напишите текст комментария."))
    operator = is_operator(by, request.account.organisation_id)
    if not operator and not user_can(by, request.account, Right.READ):
        raise ValidationError(_("Заявка не найдена."))
    with transaction.atomic():
        comment = RequestComment.objects.create(
            request=request, author=by, by_operator=operator, text=text
        )
        if operator:
            audit_record(
                actor=by,
                organisation=request.account.organisation,
                action="request.comment",
                obj=request,
                after={"comment": text},
            )
            transaction.on_commit(partial(tasks.request_comment_email.delay, comment.pk))
    return comment


def request_rate(*, request: ServiceRequest, by: Any, rating: int, comment: str = "") -> None:
    """The resident's mark (1–5) once the work is done; given once."""
    if not user_can(by, request.account, Right.READ):
        raise ValidationError(_("Заявка не найдена."))
    if not 1 <= rating <= 5:
        raise ValidationError(_("Оценка — от 1 до 5."))
    with transaction.atomic():
        locked = ServiceRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status not in {Status.DONE, Status.CLOSED}:
            raise ValidationError(_("Оценить заявку можно после её выполнения."))
        if locked.rating is not None:
            raise ValidationError(_("Заявка уже оценена."))
        locked.rating = rating
        locked.rating_comment = comment.strip()
        locked.save(update_fields=["rating", "rating_comment", "updated_at"])
    request.rating = locked.rating
    request.rating_comment = locked.rating_comment


# --- appeals -----------------------------------------------------------------------------------


def appeal_create(
    *,
    author: Any,
    account: PersonalAccount,
    topic: str,
    text: str,
    contact: str,
    files: Sequence[UploadedFile] = (),
) -> Appeal:
    if not user_can(author, account, Right.READ):
        raise ValidationError(_("Лицевой счёт не найден."))
    check_photos(files)
    with transaction.atomic():
        appeal = Appeal.objects.create(
            account=account, author=author, topic=topic, text=text.strip(), contact=contact.strip()
        )
        _save_attachments(files, appeal=appeal)
        transaction.on_commit(partial(tasks.staff_new_item_email.delay, "appeal", appeal.pk))
    return appeal


def appeal_reply(*, appeal: Appeal, by: Any, text: str) -> AppealMessage:
    """A message in the thread: an operator's answer (e-mailed) or the resident's follow-up."""
    text = text.strip()
    if not text:
        raise ValidationError(_("Напишите текст сообщения."))
    operator = is_operator(by, appeal.account.organisation_id)
    if not operator and not user_can(by, appeal.account, Right.READ):
        raise ValidationError(_("Обращение не найдено."))
    with transaction.atomic():
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if locked.status == Appeal.Status.CLOSED:
            raise ValidationError(_("Обращение закрыто. Если вопрос остался, напишите новое."))
        message = AppealMessage.objects.create(
            appeal=locked, author=by, by_operator=operator, text=text
        )
        before = locked.get_status_display()
        locked.status = Appeal.Status.ANSWERED if operator else Appeal.Status.OPEN
        locked.save(update_fields=["status", "updated_at"])
        if operator:
            audit_record(
                actor=by,
                organisation=locked.account.organisation,
                action="appeal.answer",
                obj=locked,
                before={"status": before},
                after={"status": locked.get_status_display(), "answer": text},
            )
            transaction.on_commit(partial(tasks.appeal_answer_email.delay, message.pk))
    appeal.status = locked.status
    return message


def appeal_close(*, appeal: Appeal, by: Any) -> None:
    if not is_operator(by, appeal.account.organisation_id):
        if not user_can(by, appeal.account, Right.READ):
            raise ValidationError(_("Обращение не найдено."))
        if not resident_may_close(by, appeal.account, appeal.author_id):
            raise ValidationError(
                _("Закрыть обращение может только его автор или владелец лицевого счёта.")
            )
    with transaction.atomic():
        before = Appeal.objects.select_for_update().get(pk=appeal.pk)
        Appeal.objects.filter(pk=appeal.pk).update(status=Appeal.Status.CLOSED)
        if is_operator(by, appeal.account.organisation_id):
            audit_record(
                actor=by,
                organisation=appeal.account.organisation,
                action="appeal.close",
                obj=appeal,
                before={"status": before.get_status_display()},
                after={"status": Appeal.Status.CLOSED.label},
            )
    appeal.status = Appeal.Status.CLOSED


# --- staff side (the office at /office/; the admin uses the functions above) -------------------


def request_staff_comment(
    *, request: ServiceRequest, by: Any, text: str, files: Sequence[UploadedFile] = ()
) -> RequestComment:
    """An operator's comment to the resident, with photos attached to the request."""
    if not is_operator(by, request.account.organisation_id):
        raise ValidationError(_("Заявка не найдена."))
    check_photos(files)
    with transaction.atomic():
        comment = request_comment(request=request, by=by, text=text)
        _save_attachments(files, request=request)
    return comment


def appeal_staff_answer(
    *, appeal: Appeal, by: Any, text: str, files: Sequence[UploadedFile] = ()
) -> AppealMessage:
    """An operator's answer in the appeal's thread, with files; the resident is e-mailed."""
    if not is_operator(by, appeal.account.organisation_id):
        raise ValidationError(_("Обращение не найдено."))
    check_photos(files)
    with transaction.atomic():
        message = appeal_reply(appeal=appeal, by=by, text=text)
        _save_attachments(files, appeal=appeal)
    return message


def request_is_overdue_q(now: datetime.datetime | None = None) -> Any:
    """The condition «просрочена» on ServiceRequest rows, for queues and counts."""
    from django.db.models import Q

    return Q(status__in=[Status.NEW, Status.IN_WORK], due_at__lt=now or timezone.now())


REQUEST_TYPE_FIELDS = ("name", "is_paid", "price", "is_active", "position", "deadline_days", "deadline_hours")


def request_type_save(
    *, by: Any, organisation: Organisation, request_type: RequestType | None, data: dict[str, Any]
) -> RequestType:
    """Create or change an entry of the organisation's catalogue (prices and deadlines)."""
    if request_type is not None and request_type.organisation_id != organisation.pk:
        raise ValidationError(_("Тип заявки не найден."))
    # A fresh copy: a bound ModelForm has already written its values into the one it was given.
    item = (
        RequestType.objects.get(pk=request_type.pk)
        if request_type is not None
        else RequestType(organisation=organisation)
    )
    before = {} if request_type is None else {f: getattr(item, f) for f in REQUEST_TYPE_FIELDS}
    for name in REQUEST_TYPE_FIELDS:
        if name in data:
            setattr(item, name, data[name])
    if item.is_paid and item.price is None:
        raise ValidationError(_("У платной услуги должна быть цена."))
    item.full_clean()
    after = {f: getattr(item, f) for f in REQUEST_TYPE_FIELDS}
    with transaction.atomic():
        item.save()
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        if changed:
            audit_record(
                actor=by,
                organisation=organisation,
                action="request_type.save",
                obj=item,
                before={k: before[k] for k in changed if k in before},
                after=changed,
            )
    return item

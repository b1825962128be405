"""Everything that changes meter readings: submission, statuses, export, reminders (SPEC 2.4, 3.3).

`reading_submit` holds every rule a reading must pass. The web form, the API and any job call
it; the form's first step calls it with `dry_run=True` to show what will be sent.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import IO, TYPE_CHECKING

from django.db import transaction
from django.db.models import Case, QuerySet, Value, When
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kabinet.accounts.access import Right, checked_account
from kabinet.billing.models import PersonalAccount
from kabinet.lib.spreadsheet import safe_row
from kabinet.meters.models import (
    Meter,
    Reading,
    ReadingSubmission,
    format_reading,
    zone_names,
)
from kabinet.meters.window import next_opening, reading_window
from kabinet.orgs.models import Organisation

if TYPE_CHECKING:
    from kabinet.users.models import User

Status = ReadingSubmission.Status

# Above this much per month a reading is asked to be confirmed even without a history: a
# generous month of a large family (water, gas in m³, electricity in kWh, heat in Gcal).
MONTHLY_CEILING = {
    Meter.Resource.COLD_WATER: Decimal(30),
    Meter.Resource.HOT_WATER: Decimal(20),
    Meter.Resource.ELECTRICITY: Decimal(2000),
    Meter.Resource.HEAT: Decimal(10),
    Meter.Resource.GAS: Decimal(500),
}
HIGH_FACTOR = 3
AVERAGE_READINGS = 13  # a year of monthly readings gives twelve months of consumption

# Which status may follow which (SPEC 2.4): the operator, the export and the billing import
# all move statuses through `submissions_set_status`, so nobody skips a step.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.TRANSFERRED, Status.REJECTED}),
    Status.TRANSFERRED: frozenset({Status.ACCEPTED, Status.REJECTED}),
    Status.ACCEPTED: frozenset(),
    Status.REJECTED: frozenset(),
}


# --------------------------------------------------------------------------------------------
# Submission


@dataclass(frozen=True)
class Problem:
    """Why a reading cannot be sent as it is. `confirm` names the box that lets it through.

    `code` is stable (the API's error code, SPEC 3.6): window_closed, zones, negative, digits,
    below_previous, verification_overdue, needs_confirmation, not_a_number, unknown_meter, empty.
    """

    message: str
    meter_id: int | None = None
    zone: int | None = None  # 1..3; None for the meter as a whole
    confirm: str | None = None  # "rollover" or "high"
    code: str = "invalid"


class ReadingsRejected(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems

    @property
    def confirmable(self) -> set[str]:
        """The confirmations that would let everything through, if only those are asked."""
        if any(p.confirm is None for p in self.problems):
            return set()
        return {p.confirm for p in self.problems if p.confirm}


_fmt = format_reading


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "d.m.Y")


def parse_value(raw: str | Decimal | int | None) -> Decimal | None:
    """A reading as a person types it: spaces allowed, comma or point; None when blank."""
    if raw is None:
        return None
    if isinstance(raw, Decimal | int):
        return Decimal(raw)
    text = raw.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite():
        raise ValueError(raw)
    return value


def _digits(value: Decimal) -> tuple[int, int]:
    """Digits before and after the point, as a meter would show them (no leading/trailing zeros)."""
    sign, digits, exponent = abs(value).normalize().as_tuple()
    assert isinstance(exponent, int)
    after = max(0, -exponent)
    before = max(0, len(digits) + exponent) if value.to_integral_value(rounding="ROUND_DOWN") else 0
    return before, after


def _month_diff(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def monthly_average(history: Sequence[Reading]) -> Decimal | None:
    """Average consumption per month over the accepted readings given (newest first)."""
    if len(history) < 2:
        return None
    newest, oldest = history[0], history[-1]
    months = _month_diff(oldest.reading_date, newest.reading_date)
    if months < 1:
        return None
    used = sum(newest.values, Decimal(0)) - sum(oldest.values, Decimal(0))
    return used / months if used > 0 else None


@dataclass
class Planned:
    """A reading that passed the rules, ready to save."""

    meter: Meter
    values: list[Decimal]
    consumption: Decimal | None  # since the last accepted reading; None without one
    rollover: bool = False
    high: bool = False
    zone_labels: list = field(default_factory=list)


def _check_meter(
    meter: Meter,
    raw: Sequence[str | Decimal | int | None],
    history: Sequence[Reading],
    today: datetime.date,
    problems: list[Problem],
) -> Planned | None:
    labels = zone_names(meter.zones)
    raw = list(raw)[: meter.zones] + [None] * (meter.zones - len(raw))
    parsed: list[Decimal | None] = []
    bad = False
    for zone, item in enumerate(raw, start=1):
        try:
            parsed.append(parse_value(item))
        except ValueError:
            parsed.append(None)
            bad = True
            problems.append(
                Problem(_("Введите число цифрами, например 123,456."), meter.pk, zone, code="not_a_number")
            )
    if bad:
        return None
    if all(v is None for v in parsed):
        return None  # this meter is not being sent
    if meter.next_verification_on and meter.next_verification_on < today:
        problems.append(
            Problem(
                _(
                    "Срок поверки этого прибора истёк %(date)s, поэтому показания по нему не "
                    "принимаются. Закажите поверку и передайте документ о ней в организацию; "
                    "до тех пор начисление идёт без учёта прибора."
                )
                % {"date": _date(meter.next_verification_on)},
                meter.pk,
                code="verification_overdue",
            )
        )
        return None
    missing = [zone for zone, v in enumerate(parsed, start=1) if v is None]
    if missing:
        for zone in missing:
            problems.append(
                Problem(
                    _("Заполните все зоны прибора (%(zones)s): показание зоны «%(zone)s» не введено.")
                    % {"zones": ", ".join(str(label) for label in labels), "zone": labels[zone - 1]},
                    meter.pk,
                    zone,
                    code="zones",
                )
            )
        return None
    values = [v for v in parsed if v is not None]
    ok = True
    for zone, value in enumerate(values, start=1):
        if value < 0:
            problems.append(
                Problem(
                    _("Показание не может быть отрицательным: введите число со счётчика."),
                    meter.pk,
                    zone,
                    code="negative",
                )
            )
            ok = False
            continue
        before, after = _digits(value)
        if before > meter.digits:
            problems.append(
                Problem(
                    _(
                        "У этого счётчика %(n)s разрядов до запятой: введите не больше %(n)s цифр "
                        "целой части (красные цифры после запятой — отдельно)."
                    )
                    % {"n": meter.digits},
                    meter.pk,
                    zone,
                    code="digits",
                )
            )
            ok = False
        if after > meter.decimals:
            message = (
                _("У этого счётчика нет разрядов после запятой: введите только целую часть.")
                if meter.decimals == 0
                else _("У этого счётчика %(n)s разрядов после запятой: введите не больше %(n)s цифр после запятой.")
                % {"n": meter.decimals}
            )
            problems.append(Problem(message, meter.pk, zone, code="digits"))
            ok = False
    if not ok:
        return None

    plan = Planned(meter=meter, values=values, consumption=None, zone_labels=labels)
    if not history:
        return plan
    last = history[0]
    capacity = Decimal(10) ** meter.digits
    used: list[Decimal] = []
    below: list[int] = []
    for zone, (value, previous) in enumerate(zip(values, last.values, strict=False), start=1):
        previous = previous or Decimal(0)
        if value < previous:
            below.append(zone)
            used.append(value + capacity - previous)
        else:
            used.append(value - previous)
    plan.consumption = sum(used, Decimal(0))
    months = max(1, _month_diff(last.reading_date, today))
    per_month = plan.consumption / months
    average = monthly_average(history)
    ceiling = MONTHLY_CEILING.get(meter.resource)  # type: ignore[call-overload]
    high = bool((average and per_month > HIGH_FACTOR * average) or (ceiling and per_month > ceiling))
    if below:
        for zone in below:
            previous_text = _fmt(last.values[zone - 1])
            if high:
                problems.append(
                    Problem(
                        _(
                            "Показание меньше последнего принятого (%(prev)s от %(date)s). "
                            "Проверьте, правильно ли переписаны цифры со счётчика."
                        )
                        % {"prev": previous_text, "date": _date(last.reading_date)},
                        meter.pk,
                        zone,
                        code="below_previous",
                    )
                )
            else:
                problems.append(
                    Problem(
                        _(
                            "Показание меньше последнего принятого (%(prev)s от %(date)s). Если "
                            "счётчик дошёл до максимума и начал счёт с нуля, отметьте «Счётчик "
                            "перешёл через ноль» и передайте снова; иначе исправьте показание."
                        )
                        % {"prev": previous_text, "date": _date(last.reading_date)},
                        meter.pk,
                        zone,
                        confirm="rollover",
                        code="needs_confirmation",
                    )
                )
        plan.rollover = True
        return plan
    if high:
        problems.append(
            Problem(
                _(
                    "Расход %(used)s %(unit)s намного больше обычного для этого прибора. Если "
                    "показание верное, отметьте «Подтверждаю большой расход» и передайте снова; "
                    "иначе исправьте показание."
                )
                % {"used": _fmt(plan.consumption), "unit": meter.unit},
                meter.pk,
                confirm="high",
                code="needs_confirmation",
            )
        )
        plan.high = True
    return plan


def reading_submit(
    *,
    user: User,
    account: PersonalAccount,
    values: Mapping[int, Sequence[str | Decimal | int | None]],
    confirm_rollover: bool = False,
    confirm_high: bool = False,
    now: datetime.datetime | None = None,
    source: str = ReadingSubmission.Source.WEB,
    dry_run: bool = False,
) -> list[ReadingSubmission]:
    """Check readings for some meters of an account and save them (unless `dry_run`).

    `values` maps a meter's id to its zone values (strings as typed, or Decimals); a meter with
    every zone blank is left out. Raises ReadingsRejected with every problem found; problems
    with `confirm` go away when the matching `confirm_*` flag is given. A later submission for a
    meter in the same window replaces the earlier one, which stays in the history.
    """
    account = checked_account(user, account, Right.READINGS)
    org = account.organisation
    window = reading_window(org, now)
    if not window.is_open:
        opens = next_opening(org, window.now)
        raise ReadingsRejected(
            [
                Problem(
                    _(
                        "Приём показаний сейчас закрыт. Показания принимаются с %(first)s по "
                        "%(last)s число каждого месяца до %(time)s; следующий приём откроется "
                        "%(opens)s."
                    )
                    % {
                        "first": org.reading_first_day,
                        "last": org.reading_last_day,
                        "time": org.reading_closes_at.strftime("%H:%M"),
                        "opens": formats.date_format(opens, "d.m.Y H:i"),
                    },
                    code="window_closed",
                )
            ]
        )
    today = window.now.date()
    # The model's order, without the joins it would need: every meter here is on one account.
    meters = {m.pk: m for m in Meter.objects.filter(account=account).order_by("resource", "serial_number")}
    problems: list[Problem] = []
    for meter_id in values:
        if meter_id not in meters:
            problems.append(
                Problem(
                    _("Такого прибора учёта нет на этом лицевом счёте."), meter_id, code="unknown_meter"
                )
            )
    plans: list[Planned] = []
    for meter in meters.values():
        if meter.pk not in values:
            continue
        history = list(meter.readings.order_by("-reading_date")[:AVERAGE_READINGS])
        for reading in history:
            reading.meter = meter  # `values` needs the zone count
        plan = _check_meter(meter, values[meter.pk], history, today, problems)
        if plan is not None:
            plans.append(plan)
    if not plans and not problems:
        problems.append(Problem(_("Введите показания хотя бы одного прибора учёта."), code="empty"))
    waived = {"rollover"} if confirm_rollover else set()
    if confirm_high:
        waived.add("high")
    problems = [p for p in problems if p.confirm not in waived or p.confirm is None]
    if problems:
        raise ReadingsRejected(problems)

    submissions = [
        ReadingSubmission(
            account=account,
            meter=plan.meter,
            user=user,
            period=window.period,
            reading_date=today,
            value1=plan.values[0],
            value2=plan.values[1] if len(plan.values) > 1 else None,
            value3=plan.values[2] if len(plan.values) > 2 else None,
            rollover=plan.rollover,
            high_confirmed=plan.high,
            source=source,
            submitted_at=window.now,
        )
        for plan in plans
    ]
    if dry_run:
        return submissions
    # Without a savepoint inside a caller's transaction (the API's idempotency record): nothing
    # here is caught, so a failure rolls the caller's transaction back whole anyway.
    with transaction.atomic(savepoint=False):
        # Submissions for one meter queue up here (a double click, two tabs, API retries): each
        # sees the one before it as earlier and replaces it, so one stays current.
        list(
            Meter.objects.select_for_update()
            .filter(pk__in=[s.meter.pk for s in submissions])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for submission in submissions:
            submission.save()
        # One UPDATE, run after the lock: it sees the earlier submission committed by whoever
        # held the lock before, and points it at the new one of its meter.
        ReadingSubmission.objects.filter(
            meter__in=[s.meter for s in submissions],
            period=window.period,
            replaced_by__isnull=True,
        ).exclude(pk__in=[s.pk for s in submissions]).update(
            replaced_by=Case(*(When(meter_id=s.meter_id, then=Value(s.pk)) for s in submissions))
        )
    return submissions


# --------------------------------------------------------------------------------------------
# Statuses


class TransitionNotAllowed(ValueError):
    pass


def submissions_set_status(
    *,
    submissions: Iterable[ReadingSubmission] | QuerySet[ReadingSubmission],
    status: str,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> tuple[int, int]:
    """Move submissions to `status` where the step is allowed; returns (changed, skipped).

    Rejecting needs a reason, which the resident sees.
    """
    if status not in TRANSITIONS:
        raise TransitionNotAllowed(status)
    reason = reason.strip()
    if status == Status.REJECTED and not reason:
        raise TransitionNotAllowed(_("Укажите причину отклонения: её увидит житель."))
    now = now or timezone.now()
    ids = [s.pk for s in submissions]
    with transaction.atomic():
        rows = list(ReadingSubmission.objects.select_for_update().filter(pk__in=ids))
        changed = [s for s in rows if status in TRANSITIONS[s.status]]
        for s in changed:
            s.status = status
            s.status_changed_at = now
            s.reject_reason = reason if status == Status.REJECTED else ""
        ReadingSubmission.objects.bulk_update(
            changed, ["status", "status_changed_at", "reject_reason"]
        )
    return len(changed), len(rows) - len(changed)


def submissions_accept_from_billing(
    *, readings: Iterable[tuple[int, datetime.date, Sequence[Decimal | None]]]
) -> int:
    """Mark submissions the billing system took in as «Принято к начислению».

    `readings` are (meter id, reading date, values) of a billing readings file. A submission
    matches when it was passed to the billing system, is the meter's current one, carries the
    same values and was made on or before the billing's reading date.
    """
    wanted: dict[int, list[tuple[datetime.date, list[Decimal | None]]]] = {}
    for meter_id, reading_date, values in readings:
        wanted.setdefault(meter_id, []).append((reading_date, list(values)))
    if not wanted:
        return 0
    candidates = ReadingSubmission.objects.filter(
        meter_id__in=list(wanted), status=Status.TRANSFERRED, replaced_by__isnull=True
    ).select_related("meter")
    matched = [
        s
        for s in candidates
        if any(
            s.reading_date <= day and _same(s.values, values[: s.meter.zones])
            for day, values in wanted[s.meter_id]
        )
    ]
    changed, _skipped = submissions_set_status(submissions=matched, status=Status.ACCEPTED)
    return changed


def _same(ours: Sequence[Decimal | None], theirs: Sequence[Decimal | None]) -> bool:
    return len(ours) == len(theirs) and all(
        a is not None and b is not None and Decimal(a) == Decimal(b) for a, b in zip(ours, theirs, strict=True)
    )


# --------------------------------------------------------------------------------------------
# Export (SPEC 3.3)

EXPORT_HEADER = [
    "meter_id",
    "account_number",
    "serial_number",
    "reading_date",
    "value1",
    "value2",
    "value3",
    "submitted_at",
    "source",
]


def readings_export(*, organisation: Organisation, period: datetime.date, out: IO[str]) -> int:
    """Write the period's current submissions for the billing system; mark them «Передано в расчёт».

    Rejected submissions are left out. Exporting again gives the same file plus what came since.
    """
    tz = organisation.tz
    with transaction.atomic():
        rows = list(
            ReadingSubmission.objects.select_for_update(of=("self",))
            .filter(
                account__organisation=organisation,
                period=period,
                replaced_by__isnull=True,
            )
            .exclude(status=Status.REJECTED)
            .select_related("meter", "account")
            .order_by("account__number", "meter__external_id", "pk")
        )
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(EXPORT_HEADER)
        for s in rows:
            places = s.meter.decimals
            values = [
                "" if v is None else f"{v:.{places}f}" for v in (s.value1, s.value2, s.value3)
            ]
            writer.writerow(
                safe_row(
                    [
                        s.meter.external_id,
                        s.account.number,
                        s.meter.serial_number,
                        s.reading_date.isoformat(),
                        *values,
                        s.submitted_at.astimezone(tz).isoformat(timespec="seconds"),
                        s.source,
                    ]
                )
            )
        submissions_set_status(
            submissions=[s for s in rows if s.status == Status.RECEIVED], status=Status.TRANSFERRED
        )
    return len(rows)


# --------------------------------------------------------------------------------------------
# Reminders


def reminder_subscribe(*, user: User, enabled: bool) -> None:
    """The reading page's switch; the same flag as «напоминания о передаче показаний» in settings."""
    from kabinet.users.services import notification_set

    notification_set(user=user, reading_reminders=enabled)


def reading_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """E-mail everyone who opted in, once per window, while it is open and they sent nothing yet.

    Meant to run daily (cron or Celery beat); a run on any day of the window sends what the
    earlier runs have not.
    """
    from kabinet.accounts.models import AccountLink
    from kabinet.meters.models import ReminderSent
    from kabinet.meters.tasks import send_reading_reminder

    now = now or timezone.now()
    sent = 0
    for org in Organisation.objects.all():
        window = reading_window(org, now)
        if not window.is_open:
            continue
        links = (
            AccountLink.objects.filter(
                account__organisation=org,
                account__status=PersonalAccount.Status.ACTIVE,
                account__meters__isnull=False,
                user__notification_settings__reading_reminders=True,
                user__is_active=True,
            )
            .exclude(user__email="")
            .exclude(
                account__reading_submissions__period=window.period,
            )
            .exclude(
                user__in=ReminderSent.objects.filter(organisation=org, period=window.period).values(
                    "user"
                )
            )
            .values_list("user_id", "account__number")
            .distinct()
        )
        pending: dict[int, list[str]] = {}
        for user_id, number in links:
            pending.setdefault(user_id, []).append(number)
        for user_id, numbers in pending.items():
            with transaction.atomic():
                _record, created = ReminderSent.objects.get_or_create(
                    user_id=user_id, organisation=org, period=window.period
                )
                if not created:
                    continue
                transaction.on_commit(
                    partial(
                        send_reading_reminder.delay,
                        user_id=user_id,
                        organisation_id=org.pk,
                        accounts=sorted(numbers),
                        closes=formats.date_format(window.last_minute, "d.m.Y H:i"),
                    )
                )
            sent += 1
    return sent

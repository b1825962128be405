"""Reads for the «Показания» pages: the meter table and the consumption charts, in a few queries."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.core.cache import caches
from django.db import connection
from django.db.models import OuterRef, Q, Subquery
from django.utils import formats, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kabinet.billing.models import PersonalAccount
from kabinet.lib.charts import bar_chart
from kabinet.meters.models import Meter, Reading, ReadingSubmission, zone_names
from kabinet.meters.window import ReadingWindow

CHART_MONTHS = 24


@dataclass
class MeterRow:
    meter: Meter
    zone_labels: list
    last: Reading | None
    sent: ReadingSubmission | None  # the current submission of this window
    expired: bool  # past its verification date
    chart: SafeString | None = None
    fields: list = field(default_factory=list)  # bound form fields, one per zone, set by the view


def _months_back(today: datetime.date, count: int) -> list[datetime.date]:
    months = []
    year, month = today.year, today.month
    for _i in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


@lru_cache(maxsize=32)
def _month_labels(
    today: datetime.date, language: str | None
) -> tuple[tuple[datetime.date, str], ...]:
    """The chart's months and their labels («янв 2025»), formatted once per day and language
    rather than for every meter of every page."""
    return tuple(
        (month, formats.date_format(month, "M Y")) for month in _months_back(today, CHART_MONTHS)
    )


def consumption_chart(
    meter: Meter, readings: list[Reading], today: datetime.date
) -> SafeString | None:
    """Monthly consumption over the last 24 months, zones stacked; None without two readings."""
    readings = sorted(readings, key=lambda r: r.reading_date)
    if len(readings) < 2:
        return None
    capacity = Decimal(10) ** meter.digits
    used: dict[datetime.date, list[Decimal]] = {}
    for previous, reading in zip(readings, readings[1:], strict=False):
        month = reading.reading_date.replace(day=1)
        amounts = []
        for now, before in zip(reading.values, previous.values, strict=False):
            now, before = now or Decimal(0), before or Decimal(0)
            # A meter that rolled over starts again from zero.
            amounts.append(now - before if now >= before else now + capacity - before)
        total = used.setdefault(month, [Decimal(0)] * meter.zones)
        for i, amount in enumerate(amounts):
            total[i] += amount
    series = [
        (label, used.get(month, [Decimal(0)] * meter.zones))
        for month, label in _month_labels(today, translation.get_language())
    ]
    labels = zone_names(meter.zones)
    return bar_chart(
        series,
        title=_("Расход по месяцам: %(meter)s") % {"meter": meter},
        unit=meter.unit,
        legend=[str(label) for label in labels] if meter.zones > 1 else (),
        chart_id=f"meter-{meter.pk}",
    )


# A chart is kept by what it is drawn from, so it is never stale and needs no invalidation; this
# only bounds how long one nobody asks for stays.
CHART_SECONDS = 24 * 3600


def _chart_key(meter: Meter, readings: list[Reading], today: datetime.date) -> str:
    """Everything a meter's chart is drawn from: the meter as the chart shows it, its readings
    of the chart's months, the current month and the language."""
    drawn = (
        meter.pk,
        str(meter),
        meter.digits,
        meter.zones,
        meter.unit,
        today.replace(day=1),
        translation.get_language(),
        sorted((r.reading_date, r.pk, tuple(r.values)) for r in readings),
    )
    return "meter-chart:" + hashlib.sha256(repr(drawn).encode()).hexdigest()


def _charts(
    meters: Sequence[Meter], readings: dict[int, list[Reading]], today: datetime.date
) -> dict[int, SafeString | None]:
    """consumption_chart of each meter, drawn only when the pages cache has no copy of it."""
    keys = {meter.pk: _chart_key(meter, readings[meter.pk], today) for meter in meters}
    pages = caches["pages"]
    found = pages.get_many(list(keys.values()))
    charts: dict[int, SafeString | None] = {}
    fresh = {}
    for meter in meters:
        key = keys[meter.pk]
        if key in found:
            # Stored as text: "" for a meter without a chart.
            charts[meter.pk] = mark_safe(found[key]) if found[key] else None  # noqa: S308 - drawn here
        else:
            chart = consumption_chart(meter, readings[meter.pk], today)
            charts[meter.pk] = chart
            fresh[key] = str(chart) if chart is not None else ""
    if fresh:
        pages.set_many(fresh, CHART_SECONDS)
    return charts


def meter_rows(account: PersonalAccount, window: ReadingWindow) -> list[MeterRow]:
    """Every meter of the account with its last accepted reading, this window's submission and
    a chart; four queries whatever the history."""
    today = window.now.date()
    last_ids = (
        Reading.objects.filter(meter=OuterRef("pk")).order_by("-reading_date").values("pk")[:1]
    )
    meters = list(
        Meter.objects.filter(account=account)
        .select_related("service")
        .annotate(last_reading_id=Subquery(last_ids))
        .order_by("resource", "serial_number", "pk")
    )
    if not meters:
        return []
    by_id = {m.pk: m for m in meters}
    start = _months_back(today, CHART_MONTHS + 1)[0]
    readings: dict[int, list[Reading]] = {m.pk: [] for m in meters}
    last: dict[int, Reading] = {}
    wanted_last = {m.last_reading_id for m in meters if m.last_reading_id}  # type: ignore[attr-defined]
    # A month's consumption needs the reading before it, hence one month more. No ordering:
    # the model's default (by meter, i.e. by account and organisation) joins three tables for
    # nothing, and the chart sorts by date itself.
    recent = Q(meter_id__in=list(by_id), reading_date__gte=start) | Q(pk__in=wanted_last)
    for reading in Reading.objects.filter(recent).order_by():
        reading.meter = by_id[reading.meter_id]
        if reading.reading_date >= start:
            readings[reading.meter_id].append(reading)
        if reading.pk in wanted_last:
            last[reading.meter_id] = reading
    sent = {
        s.meter_id: s
        for s in ReadingSubmission.objects.filter(
            account=account, period=window.period, replaced_by__isnull=True
        )
    }
    charts = _charts(meters, readings, today)
    rows = []
    for meter in meters:
        submission = sent.get(meter.pk)
        if submission is not None:
            submission.meter = meter
        rows.append(
            MeterRow(
                meter=meter,
                zone_labels=zone_names(meter.zones),
                last=last.get(meter.pk),
                sent=submission,
                expired=bool(meter.next_verification_on and meter.next_verification_on < today),
                chart=charts[meter.pk],
            )
        )
    return rows


# --------------------------------------------------------------------------------------------
# Reading history with source and status (SPEC 2.4, 3.6): what residents sent and what the
# billing system holds, side by side.

# Words a billing system uses in a reading's `source` for a reading it calculated itself.
ESTIMATE_MARKS = ("estim", "average", "norm", "calc", "расч", "средн", "норм", "замещ")

# The API's status codes (SPEC 3.6) for the submission statuses.
STATUS_CODES = {
    ReadingSubmission.Status.RECEIVED: "accepted",
    ReadingSubmission.Status.TRANSFERRED: "sent",
    ReadingSubmission.Status.ACCEPTED: "charged",
    ReadingSubmission.Status.REJECTED: "rejected",
}
SOURCE_LABELS = {
    "resident_web": _("Житель, личный кабинет"),
    "resident_api": _("Житель, через API"),
    "billing": _("Биллинг организации"),
    "estimated": _("Расчётное (без показаний)"),
}


def billing_source(raw: str) -> str:
    """ "estimated" for a reading the billing system calculated, "billing" for any other."""
    text = (raw or "").strip().lower()
    return "estimated" if any(mark in text for mark in ESTIMATE_MARKS) else "billing"


@dataclass
class HistoryEntry:
    """One reading in a history: a resident's submission or a reading of the billing system."""

    key: str  # "s<pk>" for a submission, "b<pk>" for a billing reading
    meter: Meter
    reading_date: datetime.date
    values: list
    status: str  # accepted / sent / charged / rejected
    status_label: str
    reject_reason: str
    source: str  # resident_web / resident_api / billing / estimated
    submitted_at: datetime.datetime | None
    replaced: bool = False

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS[self.source])

    @property
    def labelled_values(self) -> list[tuple[str, str]]:
        from kabinet.meters.models import labelled

        return labelled(self.values, self.meter.zones)


def submission_entry(submission: ReadingSubmission) -> HistoryEntry:
    source = "resident_api" if submission.source == ReadingSubmission.Source.API else "resident_web"
    return HistoryEntry(
        key=f"s{submission.pk}",
        meter=submission.meter,
        reading_date=submission.reading_date,
        values=submission.values,
        status=STATUS_CODES[ReadingSubmission.Status(submission.status)],
        status_label=str(submission.get_status_display()),
        reject_reason=submission.reject_reason,
        source=source,
        submitted_at=submission.submitted_at,
        replaced=submission.replaced_by_id is not None,
    )


def reading_entry(reading: Reading) -> HistoryEntry:
    return HistoryEntry(
        key=f"b{reading.pk}",
        meter=reading.meter,
        reading_date=reading.reading_date,
        values=reading.values,
        status="charged",
        status_label=str(ReadingSubmission.Status.ACCEPTED.label),
        reject_reason="",
        source=billing_source(reading.source),
        submitted_at=None,
    )


def _newest_first(entry: HistoryEntry) -> tuple:
    # On the same day a resident's submission comes before the billing's reading of it.
    stamp = entry.submitted_at.timestamp() if entry.submitted_at else 0.0
    return (entry.reading_date, entry.key.startswith("s"), stamp, int(entry.key[1:]))


def reading_history(meters: list[Meter], limit: int = 200) -> list[HistoryEntry]:
    """Submissions and billing readings of these meters, newest first; two queries."""
    if not meters:
        return []
    by_id = {m.pk: m for m in meters}
    entries = []
    for submission in ReadingSubmission.objects.filter(meter__in=meters).order_by(
        "-reading_date", "-submitted_at", "-pk"
    )[:limit]:
        submission.meter = by_id[submission.meter_id]
        entries.append(submission_entry(submission))
    for reading in Reading.objects.filter(meter__in=meters).order_by("-reading_date", "-pk")[
        :limit
    ]:
        reading.meter = by_id[reading.meter_id]
        entries.append(reading_entry(reading))
    entries.sort(key=_newest_first, reverse=True)
    return entries[:limit]


def last_readings(meters: list[Meter]) -> dict[int, HistoryEntry]:
    """The newest reading of each meter (a current submission or the billing's); two queries."""
    if not meters:
        return {}
    by_id = {m.pk: m for m in meters}
    last: dict[int, HistoryEntry] = {}
    submissions = ReadingSubmission.objects.filter(
        meter__in=meters, replaced_by__isnull=True
    ).order_by("meter_id", "-reading_date", "-submitted_at", "-pk")
    billing = Reading.objects.filter(meter__in=meters).order_by("meter_id", "-reading_date", "-pk")
    if connection.vendor == "postgresql":
        submissions = submissions.distinct("meter_id")
        billing = billing.distinct("meter_id")
    for row in list(submissions) + list(billing):
        row.meter = by_id[row.meter_id]
        entry = submission_entry(row) if isinstance(row, ReadingSubmission) else reading_entry(row)
        current = last.get(row.meter_id)
        if current is None or _newest_first(entry) > _newest_first(current):
            last[row.meter_id] = entry
    return last

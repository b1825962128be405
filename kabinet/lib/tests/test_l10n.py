"""Money, quantities and months follow the active language (SPEC 4: «Dates and money follow the
active locale»); the ЕПД keeps the Russian forms whatever the language."""

import datetime
from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from kabinet.billing import epd
from kabinet.lib import l10n


def test_it_writes_money_numbers_and_months_the_russian_way_in_russian() -> None:
    with translation.override("ru"):
        assert l10n.money(Decimal("1234567.5")) == "1\xa0234\xa0567,50"
        assert l10n.number(Decimal("45.120000")) == "45,12"
        assert l10n.month_name(datetime.date(2025, 1, 1)) == "Январь 2025"
        assert l10n.month_in_text(datetime.date(2025, 1, 1)) == "январь 2025"


def test_it_writes_money_numbers_and_months_the_english_way_in_english() -> None:
    with translation.override("en"):
        assert l10n.money(Decimal("1234567.5")) == "1,234,567.50"
        assert l10n.number(Decimal("45.120000")) == "45.12"
        assert l10n.month_name(datetime.date(2025, 1, 1)) == "January 2025"
        assert l10n.month_in_text(datetime.date(2025, 1, 1)) == "January 2025"
        # The ЕПД is a Russian legal form: its figures stay Russian.
        assert epd.rub(Decimal("1234.5")) == "1 234,50"
        assert epd.month_name(datetime.date(2025, 1, 1)) == "Январь 2025"


def test_it_formats_template_sums_in_the_active_language() -> None:
    template = Template("{% load accounts_format %}{{ sum|rub }} {{ month|month_name }}")
    context = Context({"sum": Decimal("1234.5"), "month": datetime.date(2025, 3, 1)})
    with translation.override("ru"):
        assert template.render(context) == '<span class="money">1\u202f234,50</span> Март 2025'
    with translation.override("en"):
        assert template.render(context) == '<span class="money">1,234.50</span> March 2025'


def test_it_labels_chart_axes_in_the_active_language() -> None:
    from kabinet.lib.charts import bar_chart

    series = [("a", Decimal("0.5")), ("b", Decimal("0.25"))]
    with translation.override("ru"):
        assert ">0,25<" in bar_chart(series, title="t")
    with translation.override("en"):
        chart = bar_chart(series, title="t")
        assert ">0.25<" in chart and "0,25" not in chart


def test_it_names_the_portal_s_own_payment_channel_in_the_active_language() -> None:
    import types

    from django.template.loader import render_to_string

    from kabinet.payments.models import ONLINE_CHANNEL

    item = types.SimpleNamespace(paid_on=datetime.date(2025, 1, 5), amount=Decimal("10"), channel=ONLINE_CHANNEL)
    cash = types.SimpleNamespace(paid_on=datetime.date(2025, 1, 6), amount=Decimal("5"), channel="Касса")
    due = types.SimpleNamespace(history=[item, cash], account=types.SimpleNamespace(number="1001"))
    with translation.override("en"):
        html = render_to_string("payments/_history.html", {"due": due})
    assert "Payment: Online" in html
    assert "Payment: Касса" in html  # a billing's own channel is data, shown as it came
    with translation.override("ru"):
        assert "Платёж: Онлайн" in render_to_string("payments/_history.html", {"due": due})

from decimal import Decimal

from kabinet.lib.charts import _nice_max, bar_chart


def test_it_draws_one_bar_per_value_and_describes_every_value() -> None:
    svg = bar_chart(
        [("янв", Decimal("1520.10")), ("фев", Decimal("980")), ("<мар>", Decimal("0"))],
        title="Начислено",
        unit="₽",
    )

    assert svg.startswith("<svg") and 'role="img"' in svg
    assert svg.count("<rect") == 3
    assert "янв: 1 520,10 ₽; фев: 980 ₽; &lt;мар&gt;: 0 ₽" in svg
    assert "<мар>" not in svg


def test_it_stacks_zones_and_names_them_in_a_legend() -> None:
    svg = bar_chart(
        [("янв", [Decimal(100), Decimal(50)])],
        title="Расход",
        unit="кВт·ч",
        legend=["День", "Ночь"],
    )

    assert svg.count("<rect") == 4  # two stacked bars and two legend swatches
    assert "янв: 100 + 50 кВт·ч" in svg and "Ночь" in svg


def test_it_rounds_the_axis_up_to_a_nice_number() -> None:
    assert [_nice_max(Decimal(v)) for v in ("0", "7", "13", "1520.1", "0.3")] == [
        Decimal(1),
        Decimal(10),
        Decimal(20),
        Decimal(2000),
        Decimal("0.5"),
    ]


def test_it_names_title_and_description_after_the_chart_id() -> None:
    svg = bar_chart([("янв", Decimal(1))], title="Расход", chart_id="meter-7")

    assert 'aria-labelledby="meter-7-t meter-7-d"' in svg
    assert '<title id="meter-7-t">' in svg and '<desc id="meter-7-d">' in svg


def test_it_keeps_two_years_of_labels_apart_and_legible_on_a_phone() -> None:
    from kabinet.lib import charts

    labels = [f"мес {n:02d}" for n in range(24)]
    svg = bar_chart([(label, Decimal(n + 1)) for n, label in enumerate(labels)], title="Начислено")

    shown = [label for label in labels if f">{label}</text>" in svg]
    room = (charts.WIDTH - charts.LEFT - charts.RIGHT) / len(shown)
    assert len(shown) < len(labels)
    assert room >= len(labels[0]) * charts.FONT * charts.CHAR_WIDTH
    # Drawn about 330 px wide on a 360 px phone, the type stays at 12 px or more.
    assert charts.FONT * 330 / charts.WIDTH >= 12

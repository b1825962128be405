"""Every rule of `reading_submit` (SPEC 2.4): the refusal and the edge that is still accepted."""

import datetime
from decimal import Decimal

import pytest
from django.http import Http404

from kabinet.meters.models import Meter, ReadingSubmission
from kabinet.meters.services import ReadingsRejected, reading_submit
from kabinet.meters.tests.helpers import local, make_meter

NOW = local("2025-02-20 12:00")  # window open; a month after the accepted readings of 20.01.2025


def submit(world, values, user=None, **kwargs):
    kwargs.setdefault("now", NOW)
    return reading_submit(user=user or world.holder, account=world.account, values=values, **kwargs)


def refused(world, values, **kwargs) -> ReadingsRejected:
    with pytest.raises(ReadingsRejected) as info:
        submit(world, values, **kwargs)
    return info.value


def m(world, external_id: str) -> Meter:
    return Meter.objects.get(organisation=world.org, external_id=external_id)


# --- the window -------------------------------------------------------------------------


def test_it_refuses_everything_while_the_window_is_closed_and_says_when_it_opens(world):
    exc = refused(world, {m(world, "M-1").pk: ["130"]}, now=local("2025-02-26 00:00"))
    assert "закрыт" in exc.problems[0].message
    assert "15.03.2025 00:00" in exc.problems[0].message
    assert not ReadingSubmission.objects.exists()


def test_it_accepts_in_the_last_minute_of_the_window(world):
    [saved] = submit(world, {m(world, "M-1").pk: ["130"]}, now=local("2025-02-25 23:59"))
    assert saved.period == datetime.date(2025, 2, 1)
    assert saved.reading_date == datetime.date(2025, 2, 25)


# --- every zone filled ------------------------------------------------------------------


def test_it_refuses_a_two_zone_meter_with_one_zone_blank(world):
    meter = m(world, "M-2")
    exc = refused(world, {meter.pk: ["1001", ""]})
    [problem] = exc.problems
    assert (problem.meter_id, problem.zone) == (meter.pk, 2)
    assert "Заполните все зоны" in problem.message and "Ночь" in problem.message


def test_it_accepts_a_two_zone_meter_with_both_zones(world):
    [saved] = submit(world, {m(world, "M-2").pk: ["1001", "400,2"]})
    assert (saved.value1, saved.value2, saved.value3) == (Decimal("1001"), Decimal("400.2"), None)


def test_it_refuses_a_form_with_nothing_filled(world):
    exc = refused(world, {m(world, "M-1").pk: [""], m(world, "M-2").pk: ["", " "]})
    assert "хотя бы одного" in exc.problems[0].message


def test_it_refuses_what_is_not_a_number(world):
    exc = refused(world, {m(world, "M-1").pk: ["12a"]})
    assert "Введите число" in exc.problems[0].message


# --- not negative -----------------------------------------------------------------------


def test_it_refuses_a_negative_reading(world):
    meter = make_meter(world.account, "NEW")
    exc = refused(world, {meter.pk: ["-0.001"]})
    assert "не может быть отрицательным" in exc.problems[0].message


def test_it_accepts_zero_on_a_new_meter(world):
    meter = make_meter(world.account, "NEW")
    [saved] = submit(world, {meter.pk: ["0"]})
    assert saved.value1 == 0


# --- digits before and after the point -------------------------------------------------


def test_it_refuses_more_digits_than_the_meter_has_before_the_point(world):
    meter = make_meter(world.account, "NEW", digits=5)
    exc = refused(world, {meter.pk: ["100000"]})
    assert "5 разрядов до запятой" in exc.problems[0].message


def test_it_accepts_as_many_digits_as_the_meter_has(world):
    meter = make_meter(world.account, "NEW", digits=5, decimals=3)
    [saved] = submit(world, {meter.pk: ["99999,999"]})
    assert saved.value1 == Decimal("99999.999")


def test_it_refuses_more_digits_than_the_meter_has_after_the_point(world):
    meter = make_meter(world.account, "NEW", decimals=3)
    exc = refused(world, {meter.pk: ["1.2345"]})
    assert "3 разрядов после запятой" in exc.problems[0].message


def test_it_accepts_trailing_zeros_beyond_the_meters_decimals(world):
    meter = make_meter(world.account, "NEW", decimals=3)
    [saved] = submit(world, {meter.pk: ["1.2340"]})
    assert saved.value1 == Decimal("1.234")


def test_it_refuses_any_fraction_on_a_meter_without_decimals(world):
    meter = make_meter(world.account, "NEW", decimals=0)
    exc = refused(world, {meter.pk: ["12.5"]})
    assert "только целую часть" in exc.problems[0].message


# --- not below the last accepted reading ------------------------------------------------


def test_it_refuses_a_reading_below_the_last_accepted_one(world):
    exc = refused(world, {m(world, "M-1").pk: ["123.455"]}, confirm_rollover=True)
    [problem] = exc.problems
    assert "меньше последнего принятого (123,456 от 20.01.2025)" in problem.message
    assert problem.confirm is None  # 99 999,999 m³ in a month is no rollover


def test_it_accepts_a_reading_equal_to_the_last_accepted_one(world):
    [saved] = submit(world, {m(world, "M-1").pk: ["123.456"]})
    assert saved.value1 == Decimal("123.456")


def test_it_asks_to_confirm_a_plausible_rollover(world):
    meter = make_meter(world.account, "ROLL", digits=3, history=(("2025-01-20", "995"),))
    exc = refused(world, {meter.pk: ["5"]})
    [problem] = exc.problems
    assert problem.confirm == "rollover" and "перешёл через ноль" in problem.message
    assert exc.confirmable == {"rollover"}


def test_it_accepts_a_plausible_rollover_once_confirmed(world):
    meter = make_meter(world.account, "ROLL", digits=3, history=(("2025-01-20", "995"),))
    [saved] = submit(world, {meter.pk: ["5"]}, confirm_rollover=True)
    assert saved.rollover is True


def test_it_refuses_an_implausible_rollover_even_when_confirmed(world):
    meter = make_meter(world.account, "ROLL", digits=3, history=(("2025-01-20", "995"),))
    exc = refused(world, {meter.pk: ["100"]}, confirm_rollover=True)  # 105 m³ in a month
    assert exc.problems[0].confirm is None


# --- consumption far above the usual ----------------------------------------------------


HISTORY = (("2024-11-20", "100"), ("2024-12-20", "110"), ("2025-01-20", "120"))  # 10 a month


def test_it_asks_to_confirm_more_than_three_times_the_average(world):
    meter = make_meter(world.account, "AVG", history=HISTORY)
    exc = refused(world, {meter.pk: ["150.001"]})
    assert exc.problems[0].confirm == "high"
    assert "больше обычного" in exc.problems[0].message


def test_it_accepts_exactly_three_times_the_average(world):
    meter = make_meter(world.account, "AVG", history=HISTORY)
    [saved] = submit(world, {meter.pk: ["150"]})
    assert saved.high_confirmed is False


def test_it_accepts_a_high_consumption_once_confirmed(world):
    meter = make_meter(world.account, "AVG", history=HISTORY)
    [saved] = submit(world, {meter.pk: ["150.001"]}, confirm_high=True)
    assert saved.high_confirmed is True


def test_it_spreads_consumption_over_the_months_since_the_last_reading(world):
    meter = make_meter(world.account, "AVG", history=HISTORY)
    # Three months later, 90 m³ is 30 a month: at the limit, not above it.
    [saved] = submit(world, {meter.pk: ["210"]}, now=local("2025-04-20 12:00"))
    assert saved.value1 == 210


def test_it_asks_to_confirm_above_the_resource_ceiling_without_a_history(world):
    # M-1 has one accepted reading, so no average: cold water above 30 m³ a month is asked.
    exc = refused(world, {m(world, "M-1").pk: ["153.457"]})
    assert exc.problems[0].confirm == "high"


def test_it_accepts_the_resource_ceiling_itself(world):
    [saved] = submit(world, {m(world, "M-1").pk: ["153.456"]})
    assert saved.value1 == Decimal("153.456")


# --- verification date ------------------------------------------------------------------


def test_it_refuses_a_meter_past_its_verification_date_with_an_explanation(world):
    meter = m(world, "M-1")  # next verification 10.01.2026
    exc = refused(world, {meter.pk: ["130"]}, now=local("2026-01-15 12:00"))
    [problem] = exc.problems
    assert "Срок поверки этого прибора истёк 10.01.2026" in problem.message
    assert "Закажите поверку" in problem.message


def test_it_accepts_a_meter_on_its_verification_date(world):
    meter = m(world, "M-1")
    meter.next_verification_on = datetime.date(2026, 1, 15)
    meter.save()
    [saved] = submit(world, {meter.pk: ["130"]}, now=local("2026-01-15 12:00"))
    assert saved.value1 == 130


# --- who, which meter, replacing --------------------------------------------------------


def test_it_lets_a_family_member_send_readings(world):
    [saved] = submit(world, {m(world, "M-1").pk: ["130"]}, user=world.member)
    assert saved.user == world.member


def test_it_gives_a_stranger_404(world):
    with pytest.raises(Http404):
        submit(world, {m(world, "M-1").pk: ["130"]}, user=world.stranger)
    assert not ReadingSubmission.objects.exists()


def test_it_refuses_a_meter_of_another_account(world):
    foreign = make_meter(world.other_account, "FOREIGN")
    exc = refused(world, {foreign.pk: ["1"]})
    assert "нет на этом лицевом счёте" in exc.problems[0].message


def test_it_replaces_an_earlier_submission_of_the_same_window_and_keeps_both(world):
    meter = m(world, "M-1")
    [first] = submit(world, {meter.pk: ["130"]})
    [second] = submit(world, {meter.pk: ["131"]}, now=local("2025-02-21 09:00"))
    first.refresh_from_db()
    assert first.replaced_by == second
    assert second.is_current
    assert ReadingSubmission.objects.filter(meter=meter).count() == 2


def test_it_does_not_replace_a_submission_of_an_earlier_window(world):
    meter = m(world, "M-1")
    [first] = submit(world, {meter.pk: ["130"]})
    submit(world, {meter.pk: ["140"]}, now=local("2025-03-20 09:00"))
    first.refresh_from_db()
    assert first.is_current


def test_it_saves_nothing_on_a_dry_run(world):
    [planned] = submit(world, {m(world, "M-1").pk: ["130"]}, dry_run=True)
    assert planned.pk is None
    assert not ReadingSubmission.objects.exists()


def test_it_saves_nothing_when_one_meter_of_several_is_wrong(world):
    with pytest.raises(ReadingsRejected):
        submit(world, {m(world, "M-1").pk: ["130"], m(world, "M-2").pk: ["999", "400.2"]})
    assert not ReadingSubmission.objects.exists()

"""One amount due (SPEC 2.3): every page and the ЕПД with its QR say the same «К оплате», and the
demo's money adds up month to month."""

import datetime
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode

from kabinet.accounts.models import AccountLink
from kabinet.accounts.tests.factories import link, make_user
from kabinet.billing.models import BillingPayment, Charge, Period, PersonalAccount
from kabinet.billing.selectors import account_months, finance_movement, next_month

pytestmark = pytest.mark.django_db

Amounts = tuple[Decimal, Decimal]  # services due, penalties due


def money(text: str) -> Decimal:
    return Decimal(re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", "."))


def strip_tags(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


MONEY = r"(-?\d[\d\s\u00a0\u202f]*,\d\d)"


def card_money(html: str) -> dict[str, str]:
    """The «К оплате», «Сальдо», «Пени к оплате» figures of one money block, by their labels."""
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", html, re.S)
    return {strip_tags(dt): strip_tags(dd) for dt, dd in pairs}


def table_amounts(html: str) -> dict[str, Amounts]:
    """«К оплате» and «Пени к оплате» per account number from the account cards."""
    found: dict[str, Amounts] = {}
    for card in re.findall(r'<li class="account-card">.*?</li>', html, re.S):
        number = re.search(r"Лицевой счет (\S+?)</a>", card)
        block = re.search(r'<dl class="account-card__money">(.*?)</dl>', card, re.S)
        assert number and block, card
        figures = card_money(block[1])
        found[number[1]] = (money(figures["К оплате"].rstrip(" ₽")), money(figures["Пени к оплате"].rstrip(" ₽")))
    return found


def due_and_penalty(text: str) -> Amounts:
    """From «К оплате: 1 234,56 руб.; пени: 7,89 руб.» (the penalty part only when due)."""
    due = re.search(r"К оплате:?\s*" + MONEY, text)
    assert due, text
    penalty = re.search(r"пени:?\s*" + MONEY, text[due.end():])
    return money(due[1]), money(penalty[1]) if penalty else Decimal("0.00")


def test_it_shows_the_same_amount_due_everywhere_for_every_demo_account(client: Client, tmp_path: Path) -> None:
    call_command("demo")
    walker = make_user("walker@example.com")
    accounts = list(PersonalAccount.objects.select_related("organisation").order_by("number"))
    for account in accounts:
        link(walker, account)
    client.force_login(walker)
    # Payments after the last published period exist, so the rule is exercised, not bypassed.
    latest = Period.objects.filter(is_published=True).order_by("-month")[0].month
    assert BillingPayment.objects.filter(paid_on__gte=next_month(latest)).count() > 10

    seen: dict[str, dict[str, Amounts]] = {"dashboard": {}, "list": {}, "card": {}, "charges": {}, "pay": {}, "epd": {}, "qr": {}}
    seen["dashboard"] = table_amounts(client.get("/home/").content.decode())
    seen["list"] = table_amounts(client.get("/accounts/").content.decode())
    for org_code in {a.organisation.code for a in accounts}:
        page = client.get("/payments/pay/", {"org": org_code}).content.decode()
        for fieldset in re.findall(r"<fieldset class=\"pay-row\".*?</fieldset>", page, re.S):
            legend = re.search(r"Лицевой счёт (\S+?)[,<]", fieldset)
            assert legend
            due = re.search(r"<span data-due>К оплате: " + MONEY, fieldset)
            assert due, fieldset
            penalty = re.search(r"Пени к оплате: " + MONEY, fieldset)
            seen["pay"][legend[1]] = (money(due[1]), money(penalty[1]) if penalty else Decimal("0.00"))

    for account in accounts:
        number = account.number
        card = client.get(f"/accounts/{account.pk}/").content.decode()
        block = re.search(r'<dl class="account-card__money account-card__money--page">(.*?)</dl>', card, re.S)
        assert block
        figures = card_money(block[1])
        seen["card"][number] = (
            money(figures["К оплате"].rstrip(" ₽")),
            money(re.sub(r" ₽.*", "", figures["Пени к оплате"])),
        )
        charges = client.get(f"/charges/{account.pk}/").content.decode()
        line = re.search(r"<p class=\"due\" data-due>(.*?)</p>", charges, re.S)
        assert line
        seen["charges"][number] = due_and_penalty(strip_tags(line[1]))

        period = Period.objects.filter(organisation=account.organisation, is_published=True).order_by("-month")[0]
        response = client.get(f"/charges/{account.pk}/{period.month.year}-{period.month.month}/epd.pdf")
        pdf = tmp_path / f"{number}.pdf"
        pdf.write_bytes(response.content)
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        total = re.search(r"Итого к оплате: " + MONEY + r" руб\.(?:\s+\(в том числе за услуги " + MONEY + r" руб\., пени " + MONEY + r" руб\.\))?", text)
        assert total, text
        if total[2]:
            seen["epd"][number] = (money(total[2]), money(total[3]))
            assert money(total[1]) == money(total[2]) + money(total[3])
        else:
            seen["epd"][number] = (money(total[1]), Decimal("0.00"))
        # The QR as a bank app reads it: only the code's corner of page 1, at 100 dpi.
        subprocess.run(
            ["pdftoppm", "-r", "100", "-f", "1", "-l", "1", "-x", "930", "-y", "15", "-W", "239", "-H", "220",
             "-gray", "-png", "-singlefile", str(pdf), str(tmp_path / "qr")],
            check=True,
        )
        (symbol,) = decode(Image.open(tmp_path / "qr.png"), symbols=[ZBarSymbol.QRCODE])
        fields = dict(part.split("=", 1) for part in symbol.data.decode("utf-8").split("|")[1:])
        seen["qr"][number] = (Decimal(fields["Sum"]) / 100, Decimal("0.00"))

    numbers = {a.number for a in accounts}
    for source, amounts in seen.items():
        assert set(amounts) == numbers, source
    for account in accounts:
        number = account.number
        reference = seen["card"][number]
        for source in ("dashboard", "list", "charges", "pay", "epd"):
            assert seen[source][number] == reference, (number, source, seen[source][number], reference)
        assert seen["qr"][number][0] == sum(reference), (number, "qr")


def test_it_keeps_the_demo_self_consistent_month_to_month(client: Client) -> None:
    call_command("demo")
    today = timezone.localdate()

    assert not BillingPayment.objects.filter(paid_on__gt=today).exists()
    for account in PersonalAccount.objects.select_related("organisation"):
        months = sorted(account_months(account), key=lambda m: m.period.month)
        for before, after in zip(months, months[1:], strict=False):
            # «Долг на конец» of a month is «Долг на начало» of the next, penalties included.
            assert before.total_to_pay == after.debt_start + after.penalty_debt_start, account.number
            # A month's `paid` column holds exactly the payments dated in that month.
            dated = BillingPayment.objects.filter(
                account=account, paid_on__gte=after.period.month, paid_on__lt=next_month(after.period.month)
            )
            assert after.paid + after.penalty_paid == sum((p.amount for p in dated), Decimal("0.00"))
        movement = finance_movement(months)
        assert movement.computed_end == movement.debt_end, account.number
        for row in Charge.objects.filter(account=account):
            assert row.to_pay == row.debt_start + row.charged + row.recalculation - row.privilege - row.paid

    # «Движение финансов» on the charges page has a «Пени» line, and its lines add up.
    penalised = (
        PersonalAccount.objects.filter(charges__kind=Charge.Kind.PENALTY, charges__charged__gt=0)
        .distinct()
        .first()
    )
    assert penalised is not None
    account = penalised
    user = make_user("mover@example.com")
    AccountLink.objects.create(user=user, account=account, role=AccountLink.Role.HOLDER)
    client.force_login(user)

    body = client.get(f"/charges/{account.pk}/").content.decode()

    block = re.search(r'<h2 id="movement">.*?</dl>', body, re.S)
    assert block
    facts = dict(
        (strip_tags(dt), money(re.search(MONEY, strip_tags(dd))[1]))  # type: ignore[index]
        for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block[0], re.S)
        if re.search(MONEY, strip_tags(dd))
    )
    assert facts["Пени"] > 0
    assert facts["Долг на начало"] + facts["Начислено"] + facts["Перерасчёт"] - facts["Льготы/субсидии"] + facts[
        "Пени"
    ] - facts["Оплачено"] == facts["Долг на конец"]


def test_it_counts_a_payment_after_the_period_once(client: Client, world) -> None:
    """The sample payment of 05.02.2025 (100,00) follows the January period: the card, the ЕПД
    and its QR all take it off once (135,36 + 1,20 − 100,00)."""
    from kabinet.billing.epd import epd_for, qr_payload

    client.force_login(world.holder)
    card = client.get(f"/accounts/{world.account.pk}/").content.decode()
    epd = epd_for(world.account, datetime.date(2025, 1, 1))
    assert epd is not None

    assert '<div><dt>К оплате</dt><dd><span class="money">35,36</span> ₽</dd></div>' in card
    assert '<dt>Пени к оплате</dt><dd><span class="money">1,20</span> ₽' in card
    assert epd.total == Decimal("36.56")
    assert "|Sum=3656|" in qr_payload(epd)
    # A later published month holds that payment in its `paid` column: January's ЕПД no longer
    # subtracts it (it would count twice), and «now» is February's.
    february = Period.objects.create(organisation=world.org, month=datetime.date(2025, 2, 1), is_published=True)
    hvs = Charge.objects.get(account=world.account, service__code="hvs").service
    Charge.objects.create(
        account=world.account, period=february, service=hvs, debt_start=Decimal("135.36"),
        paid=Decimal("100.00"), to_pay=Decimal("35.36"),
    )
    january = epd_for(world.account, datetime.date(2025, 1, 1))
    assert january is not None and january.total == Decimal("136.56")

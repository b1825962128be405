"""export_payments (SPEC 3.3) and the reconciliation job."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command

from kabinet.payments.models import Payment
from kabinet.payments.providers import sandbox
from kabinet.payments.services import payment_notification_handle, payments_reconcile
from kabinet.payments.tests.helpers import started_payment, use_gateway
from kabinet.payments.tests.test_tbank import notification as tbank_notification
from kabinet.payments.tests.test_tbank import post as post_tbank
from kabinet.payments.tests.test_tbank import tbank  # noqa: F401 - a fixture
from kabinet.payments.tests.test_yookassa import FakeYooKassa, fixture


def deliver(payment: Payment, status: str) -> None:
    payment.refresh_from_db()
    body = sandbox.notification_body(payment, status)
    payment_notification_handle(
        provider="sandbox", body=body, headers={sandbox.SIGNATURE_HEADER: sandbox.sign(body)}
    )


def tbank_deliver(client, payment: Payment, status: str) -> None:
    payment.refresh_from_db()
    amount = int(payment.total * 100)
    assert post_tbank(client, tbank_notification(payment, status, amount=amount)).status_code == 200


@pytest.mark.usefixtures("tbank")
def test_it_exports_credited_payments_in_the_range(client, world, tmp_path):
    with time_machine.travel(datetime.datetime(2025, 2, 10, 5, 0, tzinfo=datetime.UTC), tick=False):
        paid = started_payment(world, amount="120.50")
        tbank_deliver(client, paid, "CONFIRMED")
    with time_machine.travel(datetime.datetime(2025, 2, 11, 5, 0, tzinfo=datetime.UTC)):
        failed = started_payment(world)
        tbank_deliver(client, failed, "REJECTED")
    with time_machine.travel(datetime.datetime(2025, 3, 1, 5, 0, tzinfo=datetime.UTC)):
        later = started_payment(world)
        tbank_deliver(client, later, "CONFIRMED")
    out = tmp_path / "payments.csv"
    call_command("export_payments", "--org", "uk", "--from", "2025-02-01", "--to", "2025-02-28", "--output", str(out))
    paid.refresh_from_db()
    assert out.read_text(encoding="utf-8").splitlines() == [
        "external_id;account_number;paid_at;amount;provider;provider_payment_id",
        f"{paid.number}-1001;1001;2025-02-10T12:00:00+07:00;120.50;tbank;{paid.provider_payment_id}",
    ]


def test_it_never_exports_a_test_bank_payment(world, tmp_path):
    with time_machine.travel(datetime.datetime(2025, 2, 10, 5, 0, tzinfo=datetime.UTC)):
        paid = started_payment(world, amount="120.50")
        deliver(paid, "succeeded")
    paid.refresh_from_db()
    assert paid.status == Payment.Status.SUCCEEDED and paid.is_test
    out = tmp_path / "payments.csv"
    call_command("export_payments", "--org", "uk", "--from", "2025-02-01", "--to", "2025-02-28", "--output", str(out))
    assert out.read_text(encoding="utf-8").splitlines() == [
        "external_id;account_number;paid_at;amount;provider;provider_payment_id",
    ]


def test_it_exports_to_stdout_and_checks_its_arguments(world, capsys):
    call_command("export_payments", "--org", "uk", "--from", "01.02.2025", "--to", "28.02.2025")
    assert capsys.readouterr().out.startswith("external_id;account_number;paid_at;")
    with pytest.raises(CommandError):
        call_command("export_payments", "--org", "nobody", "--from", "2025-02-01", "--to", "2025-02-28")
    with pytest.raises(CommandError):
        call_command("export_payments", "--org", "uk", "--from", "2025-02-31", "--to", "2025-02-28")


def test_it_reconciles_pending_payments_with_the_gateway(world, monkeypatch):
    use_gateway(world.org, "yookassa", "100500", "test_Fh8hUAVVBGUGbjmlzba6TB0iyUbos_lueTHE-axOwM0")
    fake = FakeYooKassa()
    monkeypatch.setattr("kabinet.lib.http.send", fake)
    with time_machine.travel(datetime.datetime(2025, 2, 10, 5, 0, tzinfo=datetime.UTC)):
        payment = started_payment(world)
    fake.current = fixture("yookassa_payment_succeeded")
    with time_machine.travel(datetime.datetime(2025, 2, 10, 5, 10, tzinfo=datetime.UTC)):
        counts = payments_reconcile()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert counts["checked"] == 1 and counts["changed"] == 1
    credited = payment.allocations.get().billing_payment
    assert credited is not None and credited.amount == Decimal("100.00")


def test_it_leaves_fresh_payments_alone_and_expires_abandoned_sandbox_pages(world, capsys):
    with time_machine.travel(datetime.datetime(2025, 2, 10, 5, 0, tzinfo=datetime.UTC)):
        payment = started_payment(world)
    with time_machine.travel(datetime.datetime(2025, 2, 10, 5, 1, tzinfo=datetime.UTC)):
        assert payments_reconcile()["checked"] == 0
    with time_machine.travel(datetime.datetime(2025, 2, 10, 5, 30, tzinfo=datetime.UTC)):
        call_command("reconcile_payments")
    assert "changed 1" in capsys.readouterr().out
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELED


def test_it_counts_a_gateway_failure_and_carries_on(world, monkeypatch):
    from kabinet.lib.http import HttpError

    use_gateway(world.org, "yookassa", "100500", "test_Fh8hUAVVBGUGbjmlzba6TB0iyUbos_lueTHE-axOwM0")
    monkeypatch.setattr("kabinet.lib.http.send", FakeYooKassa())
    with time_machine.travel(datetime.datetime(2025, 2, 10, 5, 0, tzinfo=datetime.UTC)):
        payment = started_payment(world)

    def down(*args, **kwargs):
        raise HttpError("timeout")

    monkeypatch.setattr("kabinet.lib.http.send", down)
    with time_machine.travel(datetime.datetime(2025, 2, 10, 5, 10, tzinfo=datetime.UTC)):
        assert payments_reconcile()["errors"] == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING

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
from kabinet.payments.tests.test_yookassa import FakeYooKassa, fixture


def deliver(payment: Payment, status: str) -> None:
    payment.refresh_from_db()
    body = sandbox.notification_body(payment, status)
    payment_notification_handle(
        provider="sandbox", body=body, headers={sandbox.SIGNATURE_HEADER: sandbox.sign(body)}
    )


def test_it_exports_credited_payments_in_the_range(world, tmp_path):
    with time_machine.travel(datetime.datetime(2025, 2, 10, 5, 0, tzinfo=datetime.UTC)):
        paid = started_payment(world, amount="120.50")
        deliver(paid, "succeeded")
        failed = started_payment(world)
        deliver(failed, "failed")
    with time_machine.travel(datetime.datetime(2025, 3, 1, 5, 0, tzinfo=datetime.UTC)):
        later = started_payment(world)
        deliver(later, "succeeded")
    out = tmp_path / "payments.csv"
    call_command("export_payments", "--org", "uk", "--from", "2025-02-01", "--to", "2025-02-28", "--output", str(out))
    paid.refresh_from_db()
    assert out.read_text(encoding="utf-8").splitlines() == [
        "external_id;account_number;paid_at;amount;provider;provider_payment_id",
        f"{paid.number}-1001;1001;2025-02-10T12:00:00+07:00;120.50;sandbox;{paid.provider_payment_id}",
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

"""Payment pages: the payments section, the pay page, a payment's page, the sandbox bank, and the
endpoint where gateways deliver notifications."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kabinet.accounts.access import Right, get_account_for_user, linked_accounts, may_pay_any
from kabinet.billing.models import PersonalAccount
from kabinet.front.middleware import POLICY
from kabinet.lib.http import HttpError
from kabinet.orgs.models import Organisation
from kabinet.payments.cache import page_version
from kabinet.payments.forms import PayForm, parse_money
from kabinet.payments.models import ZERO, Payment
from kabinet.payments.providers import (
    GatewayError,
    NotificationRefused,
    get_provider,
    provider_enabled,
    sandbox,
)
from kabinet.payments.selectors import AccountDue, account_dues
from kabinet.payments.services import (
    MAX_PAYMENT,
    ONLINE_PAYMENT_UNAVAILABLE,
    PaymentMismatch,
    commission_for,
    payment_create,
    payment_notification_handle,
    payment_refresh,
    payment_start,
)
from kabinet.users.models import User

log = logging.getLogger(__name__)

# The pay form ends in a redirect to the gateway's page; browsers check that redirect against
# the page's form-action, so the pay page names the gateways' payment pages.
GATEWAY_PAGES = "https://yoomoney.ru https://securepay.tinkoff.ru https://pay.tbank.ru"
PAY_PAGE_POLICY = POLICY.replace("form-action 'self'", f"form-action 'self' {GATEWAY_PAGES}")


def payment_for_user(user: User, uid: Any) -> Payment:
    """The payment if this user made it or may read one of its accounts; 404 otherwise."""
    payments = Payment.objects.select_related("organisation").filter(uid=uid)
    payment = payments.filter(
        Q(user=user) | Q(allocations__account__in=linked_accounts(user, Right.READ).values("pk"))
    ).first()
    if payment is None:
        raise Http404("Платёж не найден")
    return payment


# «Платежи» shows each account's latest payments and links to its own history page, which shows
# five years; the full range is in «Отчёты».
HISTORY_SHOWN = 12
ACCOUNT_HISTORY_SHOWN = 60
# Cached balances and histories are keyed by the data versions, so they never outlive the data;
# this only bounds how long an unused entry stays.
CACHE_SECONDS = 24 * 3600


def _account_fragments(
    user: User, accounts: list[PersonalAccount], template: str, shown: int
) -> list[SafeString]:
    """Each account's balance and latest `shown` payments rendered with `template`, from the pages
    cache when neither the organisation's charges nor the user's payments version has changed
    since (kabinet/payments/cache.py). Keys name the user, the account and the language: a copy
    is never served to anyone else."""
    if not accounts:
        return []
    language = translation.get_language()
    version = page_version(user.pk, (account.organisation_id for account in accounts))
    keys = {
        account.pk: f"payments:{template}:{shown}:{user.pk}:{account.pk}:{language}:{version}"
        for account in accounts
    }
    pages = caches["pages"]
    found = pages.get_many(list(keys.values()))
    missing = [account for account in accounts if keys[account.pk] not in found]
    if missing:
        fresh = {
            keys[due.account.pk]: render_to_string(
                template, {"due": due, "more": len(due.history) == shown}
            )
            for due in account_dues(missing, with_history=shown)
        }
        pages.set_many(fresh, CACHE_SECONDS)
        found.update(fresh)
    return [mark_safe(found[keys[account.pk]]) for account in accounts]  # noqa: S308 - rendered above


@login_required
def payments(request: HttpRequest) -> HttpResponse:
    """«Платежи»: balances and payment history per account, recent online payments."""
    user = cast(User, request.user)
    accounts = list(linked_accounts(user, Right.READ))
    ctx = {
        "fragments": _account_fragments(user, accounts, "payments/_account.html", HISTORY_SHOWN),
        # The table shows the payment itself only (number, date, sum, status).
        "online": list(Payment.objects.filter(user=user)[:10]),
        "can_pay": may_pay_any(user, accounts),
    }
    return render(request, "payments/index.html", ctx)


@login_required
def payment_account_history(request: HttpRequest, account_id: int) -> HttpResponse:
    user = cast(User, request.user)
    account = get_account_for_user(user, account_id, Right.READ)
    (fragment,) = _account_fragments(
        user, [account], "payments/_account_history.html", ACCOUNT_HISTORY_SHOWN
    )
    return render(request, "payments/account_history.html", {"fragment": fragment})


def _values(
    dues: list[AccountDue], data: Any, reset: int | None, only: int | None = None
) -> dict[str, str]:
    """What each amount input shows: the posted value, or the amount due (0 for the other
    accounts when the payer came to pay one account: «Оплатить» next to its debt)."""
    values: dict[str, str] = {}
    for due in dues:
        pk = due.account.pk
        offered = {f"amount_{pk}": due.amount_prefill, f"penalty_{pk}": due.penalty_prefill}
        offered.update(
            {f"service_{pk}_{service.service_id}": service.prefill for service in due.services}
        )
        if only is not None and pk != only:
            offered = dict.fromkeys(offered, ZERO)
        for name, value in offered.items():
            if data is not None and reset != pk and name in data:
                values[name] = str(data[name])
            else:
                values[name] = f"{value:.2f}".replace(".", ",")
    return values


def _rows(dues: list[AccountDue], values: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for due in dues:
        pk = due.account.pk
        rows.append(
            {
                "due": due,
                "amount_name": f"amount_{pk}",
                "amount": values[f"amount_{pk}"],
                "penalty_name": f"penalty_{pk}",
                "penalty": values[f"penalty_{pk}"],
                "services": [
                    {
                        "service": service,
                        "name": f"service_{pk}_{service.service_id}",
                        "value": values[f"service_{pk}_{service.service_id}"],
                    }
                    for service in due.services
                ],
            }
        )
    return rows


def _total(values: dict[str, str]) -> Decimal | None:
    total = ZERO
    for name, raw in values.items():
        if name.startswith(("amount_", "penalty_")):
            try:
                total += parse_money(raw)
            except ValueError:
                return None
    return total


@login_required
def payment_pay(request: HttpRequest) -> HttpResponse:
    """«Платежи → Оплатить»: the accounts of one organisation, each with its amount due."""
    user = cast(User, request.user)
    accounts = list(linked_accounts(user, Right.PAY))
    organisations: list[Organisation] = []
    for account in accounts:
        if account.organisation not in organisations:
            organisations.append(account.organisation)
    code = request.POST.get("org") or request.GET.get("org")
    organisation = organisations[0] if organisations else None
    # «Оплатить» next to an account's debt: that account's organisation, that account's sum.
    preselected = next(
        (a for a in accounts if str(a.pk) == request.GET.get("account", "").strip()), None
    )
    if request.GET.get("account") and preselected is None:
        raise Http404("Лицевой счёт не найден")
    if preselected is not None and not code:
        code = preselected.organisation.code
    if code:
        organisation = next((org for org in organisations if org.code == code), None)
        if organisation is None:
            raise Http404("Организация не найдена")
    if organisation is not None and not provider_enabled(organisation.payment_provider):
        # No gateway chosen yet (or the test bank is off here): nothing to pay through.
        ctx = {
            "organisations": organisations,
            "organisation": organisation,
            "unavailable": ONLINE_PAYMENT_UNAVAILABLE,
        }
        return render(
            request, "payments/pay.html", ctx, status=400 if request.method == "POST" else 200
        )
    # What is due is read only when it can be paid here.
    dues: list[AccountDue] = []
    if organisation is not None:
        own = [account for account in accounts if account.organisation_id == organisation.pk]
        dues = account_dues(own, with_services=True)

    reset: int | None = None
    if request.method == "POST" and request.POST.get("reset", "").isdigit():
        # «Сбросить» (works without JavaScript): the account's amounts back to what is due.
        reset = int(request.POST["reset"])
        form = PayForm(
            initial={"receipt_contact": request.POST.get("receipt_contact", "")}, dues=dues
        )
    elif request.method == "POST" and organisation is not None:
        form = PayForm(request.POST, dues=dues)
        if form.is_valid():
            try:
                payment = payment_create(
                    user=user,
                    organisation=organisation,
                    lines=form.pay_lines,
                    receipt_contact=form.cleaned_data["receipt_contact"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
                # Mark the account's amount the refusal is about, so the page links it.
                if exc.params and "account_id" in exc.params:
                    form.bad_fields.append(f"amount_{exc.params['account_id']}")
            else:
                return _start(request, payment)
    else:
        form = PayForm(initial={"receipt_contact": user.email or user.phone}, dues=dues)

    data = request.POST if request.method == "POST" else None
    values = _values(dues, data, reset, only=preselected.pk if preselected else None)
    total = _total(values)
    commission = commission_for(organisation, total) if organisation and total else ZERO
    percent = organisation.payment_commission_percent if organisation else ZERO
    ctx = {
        "organisations": organisations,
        "organisation": organisation,
        "rows": _rows(dues, values),
        "form": form,
        "total": total,
        "commission": commission,
        "charged": total + commission if total is not None else None,
        "commission_percent": f"{percent.normalize():f}".replace(".", ","),
        "max_payment": MAX_PAYMENT,
        "preselected": preselected,
        "bad_fields": form.bad_fields,
        "error_field_id": _error_field_id(form, dues),
    }
    response = render(request, "payments/pay.html", ctx, status=400 if form.errors else 200)
    response.headers["Content-Security-Policy"] = PAY_PAGE_POLICY
    return response


def _error_field_id(form: PayForm, dues: list[AccountDue]) -> str:
    """Where the error summary's link for a sum error leads: the wrong input, else the first sum."""
    if form.bad_fields:
        return f"id_{form.bad_fields[0]}"
    return f"id_amount_{dues[0].account.pk}" if dues else ""


def _start(request: HttpRequest, payment: Payment) -> HttpResponse:
    detail = request.build_absolute_uri(reverse("payment_detail", args=[payment.uid]))
    notify = request.build_absolute_uri(reverse("payment_notify", args=[payment.provider]))
    try:
        payment = payment_start(payment=payment, return_url=detail, notification_url=notify)
    except GatewayError:
        messages.error(
            request,
            _(
                "Банк сейчас не отвечает, деньги не списаны. Попробуйте оплатить ещё раз через несколько минут."
            ),
        )
        return redirect("payment_detail", payment.uid)
    response = HttpResponseRedirect(payment.confirmation_url)
    response.headers["Content-Security-Policy"] = PAY_PAGE_POLICY
    return response


@login_required
def payment_detail(request: HttpRequest, uid: str) -> HttpResponse:
    """Where the gateway sends the payer back: the outcome, or a wait for the bank."""
    payment = payment_for_user(cast(User, request.user), uid)
    if (
        payment.status == Payment.Status.PENDING
        and payment.provider != sandbox.SandboxProvider.name
    ):
        try:
            payment = payment_refresh(payment=payment)
        except (GatewayError, HttpError, PaymentMismatch, NotificationRefused):
            log.info("payment %s: refresh on return failed", payment.number)
    allocations = payment.allocations.select_related("account")
    return render(request, "payments/detail.html", {"payment": payment, "allocations": allocations})


@csrf_exempt
@require_POST
def payment_notify(request: HttpRequest, provider: str) -> HttpResponse:
    """Gateways' notifications. Answers the provider's "accepted" reply; 400 when refused."""
    try:
        reply = get_provider(provider)
        payment_notification_handle(provider=provider, body=request.body, headers=request.headers)
    except NotificationRefused as exc:
        log.warning("notification from %s refused: %s", provider, exc)
        return HttpResponse("refused", status=400, content_type="text/plain")
    except PaymentMismatch:
        return HttpResponse("amount mismatch", status=400, content_type="text/plain")
    except (GatewayError, HttpError):
        # We could not check it now; the gateway will deliver it again.
        return HttpResponse("try later", status=503, content_type="text/plain")
    return HttpResponse(reply.reply_body, content_type=reply.reply_content_type)


def policies(request: HttpRequest) -> HttpResponse:
    return render(request, "payments/policies.html")


# --- the sandbox bank -----------------------------------------------------------------------


def _sandbox_notify(payment: Payment, status: str, reason: str = "") -> Payment:
    # The bank page is part of the portal: it delivers its signed notification through the same
    # service as the HTTP endpoint instead of calling the server over HTTP.
    body = sandbox.notification_body(payment, status, reason)
    return payment_notification_handle(
        provider=sandbox.SandboxProvider.name,
        body=body,
        headers={sandbox.SIGNATURE_HEADER: sandbox.sign(body)},
    )


def _card_errors(number: str, expiry: str, cvc: str) -> list[str]:
    errors = []
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) != 16:
        errors.append(_("Номер карты — 16 цифр."))
    month, _sep, year = expiry.replace(" ", "").partition("/")
    if not (month.isdigit() and year.isdigit() and 1 <= int(month) <= 12 and len(year) == 2):
        errors.append(_("Срок действия — месяц и год, например 12/30."))
    if not (cvc.isdigit() and len(cvc) == 3):
        errors.append(_("CVC2/CVV2 — три цифры с оборотной стороны карты."))
    if not errors and sandbox.card_outcome(digits) is None:
        errors.append(_("Тестовый банк принимает только тестовые карты, перечисленные ниже."))
    return errors


@login_required
def sandbox_bank(request: HttpRequest, uid: str) -> HttpResponse:
    """The sandbox «bank page»: card form, then a one-time code for the cards that ask for it."""
    if not provider_enabled(sandbox.SandboxProvider.name):
        raise Http404("Тестовый банк выключен")
    payment = (
        Payment.objects.select_related("organisation")
        .filter(uid=uid, user=cast(User, request.user), provider=sandbox.SandboxProvider.name)
        .first()
    )
    if payment is None:
        raise Http404("Платёж не найден")
    if payment.status != Payment.Status.PENDING:
        return redirect("payment_detail", payment.uid)
    session_key = f"sandbox_otp_{payment.uid}"
    step = "card"
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cancel":
            request.session.pop(session_key, None)
            _sandbox_notify(payment, "canceled", "Оплата отменена на странице банка")
            return redirect("payment_detail", payment.uid)
        if action == "otp" and request.session.get(session_key):
            step = "otp"
            if request.POST.get("otp", "").strip() == sandbox.TEST_OTP:
                request.session.pop(session_key, None)
                _sandbox_notify(payment, "succeeded")
                return redirect("payment_detail", payment.uid)
            errors.append(_("Неверный код. Введите код из SMS ещё раз."))
        elif action == "card":
            number = request.POST.get("card_number", "")
            errors = _card_errors(
                number, request.POST.get("expiry", ""), request.POST.get("cvc", "").strip()
            )
            if not errors:
                outcome = sandbox.card_outcome(number)
                if outcome == "decline":
                    _sandbox_notify(payment, "failed", "Банк отказал в оплате по карте")
                    return redirect("payment_detail", payment.uid)
                if outcome == "otp":
                    request.session[session_key] = True
                    step = "otp"
                else:
                    _sandbox_notify(payment, "succeeded")
                    return redirect("payment_detail", payment.uid)
    ctx = {
        "payment": payment,
        "step": step,
        "errors": errors,
        "test_cards": sandbox.TEST_CARDS,
        "test_otp": sandbox.TEST_OTP,
    }
    return render(request, "payments/sandbox_bank.html", ctx, status=400 if errors else 200)

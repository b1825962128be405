"""Resident pages of personal accounts: dashboard, list and card, binding, sharing, requisites."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kabinet.accounts import services
from kabinet.accounts.access import Right, get_account_for_user, get_link_for_user, linked_accounts
from kabinet.accounts.forms import BindForm, FindForm, InviteForm, SubscriptionForm
from kabinet.accounts.models import AccountLink, Invitation
from kabinet.billing.epd import num
from kabinet.billing.models import PersonalAccount
from kabinet.billing.selectors import Summary, account_summaries
from kabinet.lib.ratelimit import client_ip
from kabinet.orgs.models import Organisation
from kabinet.users.models import User

SESSION_BIND = "accounts:bind_candidate"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@dataclass
class Row:
    account: PersonalAccount
    summary: Summary

    @property
    def services(self) -> list:
        return self.summary.latest.services if self.summary.latest else []

    @property
    def norm(self) -> str:
        return "; ".join(num(c.norm) for c in self.services if c.norm is not None)

    @property
    def tariff(self) -> str:
        return "; ".join(num(c.tariff) for c in self.services if c.tariff is not None)


@dataclass
class OrgGroup:
    organisation: Organisation
    rows: list[Row]


def _groups(user: User) -> list[OrgGroup]:
    accounts = list(linked_accounts(user))
    summaries = account_summaries(accounts)
    groups: dict[int, OrgGroup] = {}
    for account in accounts:
        group = groups.setdefault(
            account.organisation_id, OrgGroup(account.organisation, [])
        )
        group.rows.append(Row(account, summaries[account.pk]))
    return list(groups.values())


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    from kabinet.front.views import greeting_name

    groups = _groups(_user(request))
    rows = [row for group in groups for row in group.rows]
    ctx = {
        "name": greeting_name(_user(request)),
        "groups": groups,
        "total_due": sum((row.summary.due for row in rows), 0),
        "total_penalty": sum((row.summary.penalty_due for row in rows), 0),
        # The latest-news slot needs the same accounts: no second query for them.
        "news_accounts": [(row.account.organisation_id, row.account.address) for row in rows],
    }
    return render(request, "accounts/dashboard.html", ctx)


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/list.html", {"groups": _groups(_user(request))})


@login_required
def account_card(request: HttpRequest, account_id: int) -> HttpResponse:
    link = get_link_for_user(_user(request), account_id)
    account = link.account
    summary = account_summaries([account])[account.pk]
    ctx: dict[str, object] = {
        "account": account,
        "org": account.organisation,
        "link": link,
        "summary": summary,
        "row": Row(account, summary),
        "is_holder": link.role == AccountLink.Role.HOLDER,
        "subscription_form": SubscriptionForm(initial={"epd_by_email": link.epd_by_email}),
    }
    return render(request, "accounts/card.html", ctx)


@login_required
def requisites(request: HttpRequest, account_id: int) -> HttpResponse:
    account = get_account_for_user(_user(request), account_id)
    return render(request, "accounts/requisites.html", {"account": account, "org": account.organisation})


@login_required
def bind(request: HttpRequest) -> HttpResponse:
    """Step 1 «Проверить» shows the masked account; step 2 «Данные верны, продолжить» binds it."""
    user = _user(request)
    legal = user.kind == User.Kind.LEGAL
    form = BindForm(legal=legal)
    if request.method == "POST" and request.POST.get("step") == "confirm":
        account_id = request.session.pop(SESSION_BIND, None)
        account = PersonalAccount.objects.filter(pk=account_id).select_related("organisation").first()
        if account is None:
            messages.error(request, _("Проверка устарела: введите данные счёта ещё раз."))
            return redirect("account_bind")
        try:
            services.account_bind(user=user, account=account)
        except services.AccountError as exc:
            messages.error(request, str(exc))
            return redirect("account_bind")
        messages.success(request, _("Лицевой счёт %(number)s привязан.") % {"number": account.number})
        return redirect("account", account_id=account.pk)
    if request.method == "POST":
        form = BindForm(request.POST, legal=legal)
        if form.is_valid():
            try:
                account = services.account_bind_check(
                    user=user, ip=client_ip(request), **form.cleaned_data
                )
            except services.AccountError as exc:
                form.add_error(None, str(exc))
            else:
                request.session[SESSION_BIND] = account.pk
                ctx = {
                    "account": account,
                    "masked_owner": services.mask_name(account.owner_name),
                }
                return render(request, "accounts/bind_confirm.html", ctx)
    return render(request, "accounts/bind.html", {"form": form})


@login_required
def find(request: HttpRequest) -> HttpResponse:
    form = FindForm(request.POST or None)
    number = None
    if request.method == "POST" and form.is_valid():
        try:
            number = services.account_find(
                user=_user(request), ip=client_ip(request), **form.cleaned_data
            )
        except services.AccountError as exc:
            form.add_error(None, str(exc))
    return render(request, "accounts/find.html", {"form": form, "number": number})


def _confirm(request: HttpRequest, **ctx: object) -> HttpResponse:
    """The confirmation step (a page, so it works without JavaScript) before a POST that
    cannot be undone."""
    return render(request, "confirm.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def unbind(request: HttpRequest, account_id: int) -> HttpResponse:
    user = _user(request)
    account = get_account_for_user(user, account_id, Right.UNBIND)
    if request.method != "POST":
        return _confirm(
            request,
            title=_("Отвязать лицевой счет %(number)s?") % {"number": account.number},
            question=_("Счёт пропадёт из кабинета; члены семьи, которым вы открыли доступ, его тоже потеряют."),
            warning=_("Чтобы вернуть счёт, его придётся привязать заново."),
            confirm_label=_("Да, отвязать"),
            cancel_url=reverse("account", args=[account.pk]),
        )
    try:
        services.account_unbind(user=user, account=account)
    except services.AccountError as exc:
        messages.error(request, str(exc))
        return redirect("account", account_id=account.pk)
    messages.success(request, _("Лицевой счёт %(number)s отвязан.") % {"number": account.number})
    return redirect("accounts")


@login_required
@require_POST
def epd_subscription(request: HttpRequest, account_id: int) -> HttpResponse:
    user = _user(request)
    account = get_account_for_user(user, account_id)
    form = SubscriptionForm(request.POST)
    form.is_valid()
    link = AccountLink.objects.get(user=user, account=account)
    services.link_set_epd_by_email(link=link, enabled=bool(form.cleaned_data.get("epd_by_email")))
    messages.success(request, _("Настройка рассылки сохранена."))
    return redirect("account", account_id=account.pk)


# --- sharing ---------------------------------------------------------------------------------


@login_required
def share(request: HttpRequest, account_id: int) -> HttpResponse:
    user = _user(request)
    account = get_account_for_user(user, account_id, Right.SHARE)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                account=account, invited_by=user, email=form.cleaned_data["email"]
            )
        except services.AccountError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(
                request,
                _("Приглашение отправлено на %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("account_share", account_id=account.pk)
    links = list(AccountLink.objects.filter(account=account).select_related("user"))
    ctx = {
        "account": account,
        "form": form,
        # Everyone else who holds the account, masked: a holder must be able to spot a stranger.
        "holders": [
            (link, services.mask_name(services.person_name(link.user)), services.mask_email(link.user.email))
            for link in links
            if link.role == AccountLink.Role.HOLDER and link.user_id != user.pk
        ],
        "members": [
            (link, services.mask_name(services.person_name(link.user)), services.mask_email(link.user.email))
            for link in links
            if link.role == AccountLink.Role.MEMBER
        ],
        "invitations": Invitation.objects.filter(
            account=account, accepted_at=None, revoked_at=None
        ),
    }
    return render(request, "accounts/share.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_revoke(request: HttpRequest, account_id: int, invitation_id: int) -> HttpResponse:
    account = get_account_for_user(_user(request), account_id, Right.SHARE)
    invitation = get_object_or_404(Invitation, pk=invitation_id, account=account)
    if request.method != "POST":
        return _confirm(
            request,
            title=_("Отозвать приглашение?"),
            question=_("Приглашение на адрес %(email)s перестанет действовать.") % {"email": invitation.email},
            confirm_label=_("Да, отозвать"),
            cancel_url=reverse("account_share", args=[account.pk]),
        )
    services.invitation_revoke(invitation=invitation)
    messages.success(request, _("Приглашение отозвано."))
    return redirect("account_share", account_id=account.pk)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, account_id: int, link_id: int) -> HttpResponse:
    account = get_account_for_user(_user(request), account_id, Right.SHARE)
    member = get_object_or_404(
        AccountLink.objects.select_related("user"), pk=link_id, account=account, role=AccountLink.Role.MEMBER
    )
    if request.method != "POST":
        return _confirm(
            request,
            title=_("Закрыть доступ члену семьи?"),
            question=_("%(name)s больше не увидит лицевой счет %(number)s.")
            % {"name": member.user, "number": account.number},
            confirm_label=_("Да, закрыть доступ"),
            cancel_url=reverse("account_share", args=[account.pk]),
        )
    services.member_remove(account=account, member_link_id=link_id)
    messages.success(request, _("Доступ члена семьи закрыт."))
    return redirect("account_share", account_id=account.pk)


@login_required
@require_POST
def holder_remove(request: HttpRequest, account_id: int, link_id: int) -> HttpResponse:
    user = _user(request)
    account = get_account_for_user(user, account_id, Right.SHARE)
    try:
        services.holder_remove(user=user, account=account, link_id=link_id)
    except services.AccountError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Кабинет больше не имеет доступа к лицевому счёту."))
    return redirect("account_share", account_id=account.pk)


@login_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    user = _user(request)
    invitation = get_object_or_404(
        Invitation.objects.select_related("account__organisation", "invited_by"), token=token
    )
    # Only the invited address may even see the invitation.
    if not invitation.is_pending or (user.email or "").casefold() != invitation.email.casefold():
        raise Http404
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=user)
        except services.AccountError as exc:
            messages.error(request, str(exc))
            return redirect("accounts")
        messages.success(request, _("Лицевой счёт добавлен в ваш кабинет."))
        return redirect("account", account_id=invitation.account_id)
    return render(request, "accounts/invitation.html", {"invitation": invitation})

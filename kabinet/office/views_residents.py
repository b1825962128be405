"""«Абоненты»: find an account, see the cabinets bound to it, remove a link."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kabinet.accounts.models import AccountLink, Invitation
from kabinet.billing.models import PersonalAccount
from kabinet.office import services
from kabinet.office.access import Office, Section, get_for_office, office_view

RESULTS = 30


@office_view(Section.RESIDENTS)
def residents(request: HttpRequest, office: Office) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    accounts = PersonalAccount.objects.none()
    if q:
        accounts = (
            PersonalAccount.objects.filter(organisation=office.organisation)
            .filter(Q(number=q) | Q(address__icontains=q) | Q(owner_name__icontains=q))
            .order_by("number")[:RESULTS]
        )
    return render(request, "office/residents.html", {"q": q, "accounts": accounts})


@office_view(Section.RESIDENTS)
def resident_account(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    account = get_for_office(office, PersonalAccount.objects.all(), pk)
    links = AccountLink.objects.filter(account=account).select_related("user").order_by("role", "created_at")
    invitations = Invitation.objects.filter(account=account, accepted_at=None, revoked_at=None).order_by(
        "-created_at"
    )
    ctx = {"account": account, "links": links, "invitations": invitations}
    return render(request, "office/resident_account.html", ctx)


@require_POST
@office_view(Section.RESIDENTS)
def link_remove(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    link = get_for_office(
        office, AccountLink.objects.select_related("account__organisation", "user"), pk, "account__organisation"
    )
    try:
        services.account_link_remove(office_user=office.user, link=link)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Связь удалена; владельцу отправлено письмо."))
    return redirect("office:resident_account", link.account_id)


@require_POST
@office_view(Section.RESIDENTS)
def invitation_resend(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    invitation = get_for_office(
        office, Invitation.objects.select_related("account__organisation"), pk, "account__organisation"
    )
    try:
        services.invitation_resend(office_user=office.user, invitation=invitation)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Приглашение отправлено повторно на %(email)s.") % {"email": invitation.email})
    return redirect("office:resident_account", invitation.account_id)

"""«Настройки организации»: requisites, rules and the payment gateway (administrator only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kabinet.helpdesk.models import RequestType
from kabinet.helpdesk.services import request_type_save, request_types_ensure
from kabinet.office.access import Office, Section, office_view
from kabinet.office.forms import SETTINGS_FIELDS, OrganisationSettingsForm, RequestTypeForm
from kabinet.orgs.models import Organisation
from kabinet.orgs.services import organisation_settings_update
from kabinet.payments.models import GatewayAccount


@office_view(Section.SETTINGS)
def settings_page(request: HttpRequest, office: Office) -> HttpResponse:
    # A fresh copy: the form's validation must not change the organisation the menu shows.
    organisation = Organisation.objects.get(pk=office.organisation.pk)
    account = GatewayAccount.objects.filter(organisation=organisation).first()
    form = OrganisationSettingsForm(
        request.POST or None,
        instance=organisation,
        initial={"gateway_shop_id": account.shop_id if account else ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation_settings_update(
                office_user=office.user,
                organisation=office.organisation,
                changes={name: data[name] for name in SETTINGS_FIELDS},
                gateway_shop_id=data["gateway_shop_id"].strip(),
                gateway_secret=data["gateway_secret"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("Настройки организации сохранены."))
            return redirect("office:settings")
    ctx = {"form": form, "has_secret": bool(account and account.secret)}
    return render(request, "office/settings.html", ctx)


@office_view(Section.SETTINGS)
def request_types(request: HttpRequest, office: Office) -> HttpResponse:
    """The catalogue of request types: prices and deadlines (SPEC 2.6)."""
    request_types_ensure(organisation=office.organisation)
    items = list(RequestType.objects.filter(organisation=office.organisation).order_by("position", "name"))
    forms = [RequestTypeForm(request.POST or None, instance=item, prefix=f"t{item.pk}") for item in items]
    new = RequestTypeForm(request.POST or None, prefix="new", initial={"deadline_days": 10})
    if request.method == "POST":
        target = request.POST.get("save", "")
        form = new if target == "new" else next((f for f in forms if f.prefix == target), None)
        if form is not None and form.is_valid():
            try:
                request_type_save(
                    by=office.user,
                    organisation=office.organisation,
                    request_type=None if form is new else form.instance,
                    data=form.cleaned_data,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Тип заявки сохранён."))
                return redirect("office:request_types")
        forms = [f if f is form else RequestTypeForm(instance=f.instance, prefix=f.prefix) for f in forms]
        if form is not new:
            new = RequestTypeForm(prefix="new", initial={"deadline_days": 10})
    return render(request, "office/request_types.html", {"forms": forms, "new": new})

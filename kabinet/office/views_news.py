"""The news editor: news, «Плановые работы» and «Авария / отключение» per organisation or building."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.billing.models import PersonalAccount
from kabinet.news.models import News
from kabinet.news.services import news_save
from kabinet.office.access import Office, Section, get_for_office, office_view
from kabinet.office.forms import NewsForm


def _addresses(office: Office) -> list[str]:
    return list(
        PersonalAccount.objects.filter(organisation=office.organisation)
        .exclude(address="")
        .order_by("address")
        .values_list("address", flat=True)
        .distinct()
    )


@office_view(Section.NEWS)
def news_list(request: HttpRequest, office: Office) -> HttpResponse:
    items = (
        News.objects.filter(organisation=office.organisation)
        .prefetch_related("buildings")
        .order_by("-published_at", "-pk")
    )
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(request, "office/news_list.html", {"page": page, "now": timezone.now()})


def _edit(request: HttpRequest, office: Office, item: News | None) -> HttpResponse:
    initial = {}
    if item is not None:
        tz = office.organisation.tz
        initial = {
            "kind": item.kind,
            "title": item.title,
            "body": item.body,
            "buildings": list(item.buildings.values_list("address", flat=True)),
            "starts_at": item.starts_at and timezone.localtime(item.starts_at, tz),
            "ends_at": item.ends_at and timezone.localtime(item.ends_at, tz),
            "is_published": item.is_published,
        }
    form = NewsForm(request.POST or None, initial=initial, addresses=_addresses(office))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tz = office.organisation.tz
        # The times are typed in the organisation's local time.
        for key in ("starts_at", "ends_at"):
            if data[key] is not None:
                data[key] = data[key].replace(tzinfo=tz) if timezone.is_naive(data[key]) else timezone.make_naive(data[key]).replace(tzinfo=tz)
        try:
            news_save(office_user=office.user, organisation=office.organisation, news=item, **data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Новость сохранена."))
            return redirect("office:news")
    return render(request, "office/news_edit.html", {"form": form, "item": item})


@office_view(Section.NEWS)
def news_new(request: HttpRequest, office: Office) -> HttpResponse:
    return _edit(request, office, None)


@office_view(Section.NEWS)
def news_edit(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    return _edit(request, office, get_for_office(office, News.objects.all(), pk))

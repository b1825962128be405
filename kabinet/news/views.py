"""News, FAQ, the portal rating poll and the typo report."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kabinet.lib import ratelimit
from kabinet.lib.ratelimit import client_ip
from kabinet.news import selectors, services
from kabinet.news.forms import TypoForm, VoteForm
from kabinet.news.models import News, PortalVote
from kabinet.users.models import User

TYPO_LIMIT = 10  # reports per hour from one cabinet or address
TYPO_WINDOW = 3600


@login_required
def news_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.news_for_user(request.user), 10).get_page(request.GET.get("page"))
    return render(request, "news/news_list.html", {"page": page, **_poll(request)})


@login_required
def news_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = selectors.news_for_user(request.user).get(pk=pk)
    except News.DoesNotExist:
        raise Http404("Новость не найдена") from None
    return render(request, "news/news_detail.html", {"item": item})


@login_required
def faq(request: HttpRequest) -> HttpResponse:
    return render(request, "news/faq.html", {"items": list(selectors.faq_for_user(request.user))})


def _poll(request: HttpRequest) -> dict:
    vote = PortalVote.objects.filter(user=cast(User, request.user)).first()
    return {"vote_form": VoteForm(initial={"mark": vote.mark if vote else None}), "vote": vote}


@login_required
def rating(request: HttpRequest) -> HttpResponse:
    """GET: the results («Результаты»); POST: the resident's mark («Отправить»)."""
    form = VoteForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            services.portal_vote(user=request.user, mark=form.cleaned_data["mark"])
            messages.success(request, _("Спасибо! Ваша оценка учтена."))
            return redirect("rating")
        return render(
            request,
            "news/rating.html",
            {
                "vote_form": form,
                "results": selectors.vote_results(),
                "page_errors": [
                    {"text": error, "field_id": "id_mark_0"} for error in form.errors.get("mark", [])
                ],
            },
            status=400,
        )
    ctx = {"results": selectors.vote_results(), **_poll(request)}
    return render(request, "news/rating.html", ctx)


def _too_many(request: HttpRequest) -> bool:
    who = f"u{request.user.pk}" if request.user.is_authenticated else client_ip(request)
    return not ratelimit.hit("typo-report", who, limit=TYPO_LIMIT, window=TYPO_WINDOW)


@require_POST
def typo(request: HttpRequest) -> HttpResponse:
    """The Ctrl+Enter dialog posts here; back to the page the visitor was on."""
    form = TypoForm(request.POST)
    back = request.POST.get("page_url", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "/"
    if _too_many(request):
        messages.error(request, _("Слишком много сообщений об опечатках. Попробуйте через час."))
    elif form.is_valid():
        try:
            services.typo_report(
                reporter=request.user,
                page_url=back,
                fragment=form.cleaned_data["fragment"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Спасибо! Мы передали сообщение об ошибке в тексте."))
    else:
        messages.error(request, _("Выделите мышкой текст с ошибкой и нажмите Ctrl+Enter."))
    return redirect(back)

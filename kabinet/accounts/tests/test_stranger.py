"""A signed-in cabinet without the account gets 404 on every account, charge, document and report URL."""

import pytest
from django.test import Client
from django.urls import reverse

from kabinet.accounts import urls
from kabinet.accounts.models import AccountLink, Invitation

# URL name -> extra kwargs besides account_id, and whether it takes POST.
ACCOUNT_URLS: dict[str, tuple[dict[str, object], str]] = {
    "account": ({}, "get"),
    "account_requisites": ({}, "get"),
    "account_unbind": ({}, "post"),
    "account_epd_subscription": ({}, "post"),
    "account_share": ({}, "get"),
    "invitation_revoke": ({"invitation_id": "INVITATION"}, "post"),
    "member_remove": ({"link_id": "MEMBER"}, "post"),
    "holder_remove": ({"link_id": "HOLDER"}, "post"),
    "account_charges": ({}, "get"),
    "account_penalties": ({}, "get"),
    "epd": ({"year": 2025, "month": 1}, "get"),
    "epd_email": ({"year": 2025, "month": 1}, "post"),
    "report": ({"kind": "payments"}, "get"),
}
REPORT_KINDS = ("payments", "charges", "readings")


def test_it_lists_every_account_url_here() -> None:
    """A new account URL must join the walk below."""
    names = {
        p.name for p in urls.urlpatterns if "account_id" in str(p.pattern)  # type: ignore[union-attr]
    }
    assert names == set(ACCOUNT_URLS)


def _kwargs(world, name: str) -> dict:
    extra, _method = ACCOUNT_URLS[name]
    invitation = Invitation.objects.create(
        account=world.account, email="x@example.com", invited_by=world.holder
    )
    member = AccountLink.objects.get(user=world.member)
    holder = AccountLink.objects.get(user=world.holder)
    resolved = {
        key: {"INVITATION": invitation.pk, "MEMBER": member.pk, "HOLDER": holder.pk}.get(
            str(value), value
        )
        for key, value in extra.items()
    }
    return {"account_id": world.account.pk, **resolved}


@pytest.mark.parametrize("name", sorted(ACCOUNT_URLS))
def test_it_answers_404_to_a_stranger(client: Client, world, name: str) -> None:
    url = reverse(name, kwargs=_kwargs(world, name))
    client.force_login(world.stranger)

    response = getattr(client, ACCOUNT_URLS[name][1])(url)

    assert response.status_code == 404, url
    # Nothing changed on the way.
    assert AccountLink.objects.filter(account=world.account).count() == 2
    assert Invitation.objects.get().is_pending


@pytest.mark.parametrize("kind", REPORT_KINDS)
@pytest.mark.parametrize("fmt", ["", "csv", "xlsx"])
def test_it_answers_404_to_a_stranger_on_every_report(client: Client, world, kind, fmt) -> None:
    client.force_login(world.stranger)
    url = reverse("report", kwargs={"account_id": world.account.pk, "kind": kind})
    assert client.get(url, {"format": fmt} if fmt else {}).status_code == 404


@pytest.mark.parametrize("name", sorted(ACCOUNT_URLS))
def test_it_serves_the_holder_the_same_urls(client: Client, world, name: str) -> None:
    """The 404s above come from the gate, not from broken URLs."""
    url = reverse(name, kwargs=_kwargs(world, name))
    client.force_login(world.holder)

    response = getattr(client, ACCOUNT_URLS[name][1])(url)

    assert response.status_code in (200, 302), url


def test_it_shows_a_stranger_only_their_own_accounts_on_lists(client: Client, world) -> None:
    client.force_login(world.stranger)
    for url in ("/home/", "/accounts/", "/charges/", "/reports/"):
        body = client.get(url).content.decode()
        assert "1001" not in body and "Иванов" not in body, url
        assert "1002" in body, url

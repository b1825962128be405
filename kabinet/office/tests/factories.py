"""Staff of each role for office tests, and the objects every office URL can point at."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, get_resolver

from kabinet.accounts.models import Invitation
from kabinet.accounts.tests.factories import make_user
from kabinet.billing.models import Period
from kabinet.helpdesk.models import Appeal, ServiceRequest
from kabinet.helpdesk.services import appeal_create
from kabinet.helpdesk.tests.factories import make_request
from kabinet.news.models import News
from kabinet.office.models import ImportJob
from kabinet.orgs.models import Organisation
from kabinet.users.models import User

Role = User.Role


def make_staff(organisation: Organisation, role: str, email: str | None = None, **fields: object) -> User:
    email = email or f"{role}-{organisation.code}@example.com"
    return make_user(
        email, is_staff=True, organisation=organisation, org_role=role, last_name=role.title(), **fields
    )


@dataclass
class OfficeWorld:
    admin: User
    operator: User
    accountant: User
    request: ServiceRequest
    appeal: Appeal
    period: Period
    job: ImportJob
    news: News
    invitation: Invitation


def make_office(world) -> OfficeWorld:  # type: ignore[no-untyped-def]
    org = world.org
    admin = make_staff(org, Role.ADMIN)
    operator = make_staff(org, Role.OPERATOR)
    accountant = make_staff(org, Role.ACCOUNTANT)
    request = make_request(world.holder, world.account)
    appeal = appeal_create(
        author=world.holder,
        account=world.account,
        topic=Appeal.Topic.CHARGES,
        text="Почему выросла сумма?",
        contact="holder@example.com",
    )
    period = Period.objects.get(organisation=org, month__year=2025, month__month=1)
    job = ImportJob.objects.create(organisation=org, created_by=accountant, files=["a.csv"], directory="x")
    news = News.objects.create(organisation=org, title="Собрание жильцов", body="В субботу.")
    invitation = Invitation.objects.create(account=world.account, invited_by=world.holder, email="granny@example.com")
    return OfficeWorld(admin, operator, accountant, request, appeal, period, job, news, invitation)


def office_patterns() -> list[URLPattern]:
    """Every URL of the office, read from the URL configuration (a new page is walked too)."""
    resolver = get_resolver()
    for entry in resolver.url_patterns:
        if getattr(entry, "namespace", None) == "office":
            return list(entry.url_patterns)  # type: ignore[union-attr,arg-type]
    raise AssertionError("the office URLs are not included")


def object_for(pattern: URLPattern, office: OfficeWorld, owner: User) -> int | None:
    """The pk a URL with <pk> needs: found from the view's module and name."""
    if "<int:pk>" not in str(pattern.pattern):
        return None
    name = pattern.name or ""
    if name.startswith("request"):
        return office.request.pk
    if name.startswith("appeal"):
        return office.appeal.pk
    if name.startswith("import"):
        return office.job.pk
    if name.startswith("period"):
        return office.period.pk
    if name.startswith("staff"):
        return owner.pk
    if name.startswith("news"):
        return office.news.pk
    if name == "resident_account":
        return office.request.account_id
    if name == "invitation_resend":
        return office.invitation.pk
    if name == "link_remove":
        return office.request.account.links.order_by("pk").values_list("pk", flat=True)[0]
    raise AssertionError(f"the walk does not know which object {name} shows; add it here")

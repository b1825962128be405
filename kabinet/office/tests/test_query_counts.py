"""Every office page issues exactly its pinned number of SQL queries, for a small organisation
and again after its queues, staff, news, imports and residents have grown (SPEC 4, issue 15):
a count that grows with the data fails here. The walk reads the office's URL list, so a new page
must be pinned before the suite passes."""

from __future__ import annotations

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kabinet.accounts.models import AccountLink
from kabinet.accounts.tests.factories import make_user
from kabinet.helpdesk.models import Appeal
from kabinet.helpdesk.services import appeal_create
from kabinet.helpdesk.tests.factories import make_request
from kabinet.news.models import News
from kabinet.office.models import ImportJob
from kabinet.office.tests.factories import OfficeWorld, make_staff, object_for, office_patterns
from kabinet.office.tests.test_access import _is_post_only
from kabinet.users.models import User

# Page name → queries for an administrator (every section is theirs).
PINNED = {
    "home": 11,
    "preferences": 4,
    "imports": 4,
    "import_detail": 5,
    "periods": 4,
    "period_publish": 6,
    "exports": 3,
    "requests": 6,
    "request_detail": 7,
    "appeals": 5,
    "appeal_detail": 6,
    "news": 6,
    "news_new": 4,
    "news_edit": 6,
    "residents": 3,
    "resident_account": 7,
    "staff": 4,
    "settings": 5,
    "request_types": 5,
    "audit": 5,
}


def _counts(client, office: OfficeWorld) -> dict[str, int]:  # type: ignore[no-untyped-def]
    counts: dict[str, int] = {}
    for pattern in office_patterns():
        if _is_post_only(pattern) or pattern.name == "import_progress":
            continue  # actions and the progress stream: no page to pin
        pk = object_for(pattern, office, office.admin)
        url = reverse(f"office:{pattern.name}", args=[pk] if pk is not None else [])
        cache.clear()
        caches["pages"].clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (pattern.name, response.status_code)
        counts[str(pattern.name)] = len(captured.captured_queries)
    return counts


def _grow(world, office: OfficeWorld) -> None:  # type: ignore[no-untyped-def]
    for number in range(12):
        resident = make_user(f"resident{number}@example.com", last_name="Жилец")
        AccountLink.objects.create(user=resident, account=world.account, role=AccountLink.Role.MEMBER,
                                   invited_by=world.holder)
        make_request(world.holder, world.account, reason=f"Течь {number}")
        appeal_create(author=world.holder, account=world.account, topic=Appeal.Topic.CHARGES,
                      text=f"Вопрос {number}", contact="holder@example.com")
        make_staff(world.org, User.Role.OPERATOR, email=f"operator{number}@example.com")
        News.objects.create(organisation=world.org, title=f"Новость {number}", body="Текст.")
        ImportJob.objects.create(organisation=world.org, created_by=office.accountant,
                                 files=[f"{number}.csv"], directory="x")


@pytest.mark.django_db
def test_it_issues_the_pinned_number_of_queries_on_every_office_page(client, world, office) -> None:
    client.force_login(office.admin)
    small = _counts(client, office)
    _grow(world, office)
    large = _counts(client, office)
    assert small == PINNED, small
    assert large == PINNED, large

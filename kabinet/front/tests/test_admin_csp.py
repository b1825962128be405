"""The admin sends a Content-Security-Policy too (issue 10, item 9), one its pages work under."""

import pytest
from django.test import Client

from kabinet.accounts.tests.factories import make_user

ADMIN_PAGES = [
    "/admin/",
    "/admin/helpdesk/servicerequest/",
    "/admin/helpdesk/requesttype/add/",
    "/admin/orgs/organisation/1/change/",
    "/admin/users/user/",
]


def test_it_sends_a_csp_on_admin_pages(world):
    client = Client()
    client.force_login(make_user("root@example.com", is_staff=True, is_superuser=True))
    response = client.get("/admin/")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_it_keeps_admin_pages_working_under_the_policy(
    transactional_db, world, page, live_server, sign_in, path
):
    root = make_user("root@example.com", is_staff=True, is_superuser=True)
    sign_in(root)
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    response = page.goto(live_server.url + path.replace("/1/", f"/{world.org.pk}/"))
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    assert page.evaluate("window.__csp") == []

from kabinet.helpdesk.models import ServiceRequest
from kabinet.helpdesk.tests.factories import make_request
from kabinet.users.services import user_delete


def test_it_keeps_requests_with_the_organisation_when_a_cabinet_is_deleted(world) -> None:
    request = make_request(world.holder, world.account)

    user_delete(user=world.holder)

    kept = ServiceRequest.objects.get(pk=request.pk)
    assert kept.author is None and kept.account == world.account

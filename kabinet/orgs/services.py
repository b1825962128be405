"""Creating and changing organisations."""

from typing import Any

from django.db import transaction

from kabinet.orgs.models import Organisation


def organisation_create(*, code: str, name: str, inn: str, **fields: Any) -> Organisation:
    """Create an organisation after checking every field; ValidationError lists what is wrong."""
    organisation = Organisation(code=code, name=name, inn=inn, **fields)
    organisation.full_clean()
    with transaction.atomic():
        organisation.save()
    return organisation

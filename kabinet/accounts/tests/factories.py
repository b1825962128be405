"""The shared cast of resident tests: the holder of the data, a family member, a stranger."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kabinet.accounts.models import AccountLink
from kabinet.billing.imports import billing_import
from kabinet.billing.models import PersonalAccount
from kabinet.billing.tests.factories import make_org, sample_files
from kabinet.orgs.models import Organisation
from kabinet.users.models import User

PASSWORD = "Vetka-Sosny-2026"


def make_user(email: str, **fields: object) -> User:
    user = User.objects.create_user(username=email, email=email, password=PASSWORD, **fields)
    return user


def link(user: User, account: PersonalAccount, role: str = AccountLink.Role.HOLDER) -> AccountLink:
    return AccountLink.objects.create(user=user, account=account, role=role)


@dataclass
class World:
    org: Organisation
    account: PersonalAccount  # 1001: the holder's, shared with the member
    other_account: PersonalAccount  # 1002: the stranger's own
    holder: User
    member: User
    stranger: User


def make_world(directory: Path, publish: str | None = "2025-01") -> World:
    """An organisation loaded from the sample billing files (SPEC 3.2), and three cabinets."""
    org = make_org()
    billing_import(organisation=org, paths=sample_files(directory), publish=publish)
    account = PersonalAccount.objects.get(organisation=org, number="1001")
    other = PersonalAccount.objects.get(organisation=org, number="1002")
    holder = make_user("holder@example.com", first_name="Иван", last_name="Иванов")
    member = make_user("member@example.com", first_name="Мария", last_name="Иванова")
    stranger = make_user("stranger@example.com", first_name="Пётр", last_name="Петров")
    link(holder, account)
    AccountLink.objects.create(
        user=member, account=account, role=AccountLink.Role.MEMBER, invited_by=holder
    )
    link(stranger, other)
    return World(org, account, other, holder, member, stranger)

"""create_staff --org CODE --email EMAIL --role administrator|operator|accountant [--name NAME]"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kabinet.office.services import ROLE_NAMES, staff_create
from kabinet.orgs.models import Organisation


class Command(BaseCommand):
    help = (
        "Создать сотрудника организации (SPEC 3.1): временный пароль уходит на e-mail, при первом "
        "входе его нужно сменить и подключить приложение для кодов."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="код организации")
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, choices=sorted(ROLE_NAMES))
        parser.add_argument("--name", default="", help="ФИО")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organisation = Organisation.objects.get(code=options["org"])
        except Organisation.DoesNotExist as exc:
            raise CommandError(f"Организация с кодом {options['org']} не найдена.") from exc
        try:
            user = staff_create(
                organisation=organisation,
                email=options["email"],
                role=options["role"],
                name=options["name"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"Сотрудник {user.email} ({user.get_org_role_display()}) создан; "
            "временный пароль отправлен на e-mail."
        )

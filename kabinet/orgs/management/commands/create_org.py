from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kabinet.orgs.models import Organisation
from kabinet.orgs.services import organisation_create

OPTIONAL = {
    "kpp": "КПП",
    "bank_name": "наименование банка",
    "bik": "БИК",
    "account": "расчётный счёт (20 цифр)",
    "corr_account": "корреспондентский счёт (20 цифр)",
    "address": "адрес",
    "phone": "телефон",
    "email": "e-mail",
    "timezone": "часовой пояс, например Asia/Novosibirsk",
}


class Command(BaseCommand):
    help = "Создать организацию (УК, ТСЖ, РСО, регоператор, ЕРКЦ)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="код организации (латиница, цифры, -)")
        parser.add_argument("--name", required=True, help="наименование")
        parser.add_argument("--inn", required=True, help="ИНН")
        parser.add_argument(
            "--kind", default=Organisation.Kind.UK, choices=Organisation.Kind.values, help="тип"
        )
        for name, text in OPTIONAL.items():
            parser.add_argument("--" + name.replace("_", "-"), dest=name, help=text)

    def handle(self, *args: Any, **options: Any) -> None:
        fields = {name: options[name] for name in OPTIONAL if options.get(name)}
        if Organisation.objects.filter(code=options["code"]).exists():
            raise CommandError(f"Организация с кодом {options['code']} уже есть.")
        try:
            org = organisation_create(
                code=options["code"], name=options["name"], inn=options["inn"], kind=options["kind"], **fields
            )
        except ValidationError as exc:
            lines = [f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()]
            raise CommandError("Организация не создана:\n" + "\n".join(lines)) from exc
        self.stdout.write(self.style.SUCCESS(f"Создана организация {org.code}: {org.name}"))

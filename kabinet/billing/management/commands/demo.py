from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from kabinet.accounts.models import AccountLink
from kabinet.billing.demo import demo_load, demo_staff
from kabinet.billing.demo_features import demo_features
from kabinet.billing.models import PersonalAccount

DEMO_PASSWORD = "kabinet-demo-2026"  # noqa: S105 - published demo sign-in, local data only


class Command(BaseCommand):
    help = "Загрузить демонстрационные данные: УК и регоператор ТКО в Новосибирске, год начислений."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=int, default=60, help="лицевых счетов у УК (не меньше 50)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        results = demo_load(today=today, accounts=max(options["accounts"], 50))
        users = get_user_model()
        admin, _ = users.objects.update_or_create(
            username="admin", defaults={"email": "admin@kabinet.local", "is_staff": True, "is_superuser": True}
        )
        admin.set_password(DEMO_PASSWORD)
        admin.save()
        operator_perms = Permission.objects.filter(
            content_type__app_label__in=("orgs", "billing", "meters")
        ).exclude(codename__startswith="delete_")
        sign_ins = [("Администратор платформы", "admin")]
        for org, report in results:
            self.stdout.write(f"{org}: " + "; ".join(report.lines()))
            operator, _ = users.objects.update_or_create(
                username=f"operator-{org.code}",
                defaults={
                    "email": f"operator@{org.code}.local",
                    "is_staff": True,
                    "organisation": org,
                    "org_role": users.Role.OPERATOR,
                    "first_name": "Оператор",
                    "last_name": str(org),
                },
            )
            operator.set_password(DEMO_PASSWORD)
            operator.save()
            operator.user_permissions.set(operator_perms)
            sign_ins.append((f"Оператор «{org}»", operator.email))
            sign_ins.extend(demo_staff(organisation=org, password=DEMO_PASSWORD))
        resident, _ = users.objects.update_or_create(
            username="resident@kabinet.local",
            defaults={"email": "resident@kabinet.local", "first_name": "Анна", "last_name": "Иванова"},
        )
        resident.set_password(DEMO_PASSWORD)
        resident.save()
        # The demo resident holds the first account of each organisation, so the cabinet has data;
        # a second account can be bound through «Лицевые счета» with the numbers shown below.
        bound = []
        for org, _report in results:
            account = PersonalAccount.objects.filter(organisation=org).order_by("number").first()
            if account is not None:
                AccountLink.objects.get_or_create(
                    user=resident, account=account, defaults={"role": AccountLink.Role.HOLDER}
                )
                bound.append(f"{account.number} ({org})")
        features = demo_features(
            organisations=[org for org, _report in results], resident=resident,
            password=DEMO_PASSWORD, today=today,
        )
        second = PersonalAccount.objects.filter(organisation=results[0][0]).order_by("number")[1:2].first()
        self.stdout.write(self.style.SUCCESS("Демонстрационные данные загружены."))
        self.stdout.write(
            f"Вход жителя: http://127.0.0.1:8000/login/ — e-mail {resident.email}, пароль {DEMO_PASSWORD}"
        )
        self.stdout.write("  привязаны лицевые счета: " + ", ".join(bound))
        if second is not None:
            from kabinet.accounts.services import bill_amount

            amount = bill_amount(second)
            self.stdout.write(
                f"  для пробы привязки: лицевой счёт {second.number}, фамилия "
                f"{second.owner_name.split()[0]}, квартира {second.apartment}, "
                f"сумма к оплате из последней квитанции {str(amount).replace('.', ',') if amount is not None else '—'}"
            )
        self.stdout.write(
            "Офис организации: http://127.0.0.1:8000/office/, администратор платформы: "
            "http://127.0.0.1:8000/admin/ (при первом входе сотрудник подключает двухфакторную "
            "защиту: приложение-аутентификатор, QR-код на экране)"
        )
        for title, username in sign_ins:
            self.stdout.write(f"  {title}: логин {username}, пароль {DEMO_PASSWORD}")
        for line in features:
            self.stdout.write(line)

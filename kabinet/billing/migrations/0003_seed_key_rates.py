"""The Bank of Russia key rates from 2024 on (the rate in force on 1 January 2024 first).

Later decisions are entered by the platform administrator in the admin («Ключевые ставки»).
"""

import datetime
from decimal import Decimal

from django.db import migrations

RATES = (
    (datetime.date(2023, 12, 18), "16.00"),
    (datetime.date(2024, 7, 29), "18.00"),
    (datetime.date(2024, 9, 16), "19.00"),
    (datetime.date(2024, 10, 28), "21.00"),
    (datetime.date(2025, 6, 9), "20.00"),
    (datetime.date(2025, 7, 28), "18.00"),
    (datetime.date(2025, 9, 15), "17.00"),
    (datetime.date(2025, 10, 27), "16.50"),
    (datetime.date(2025, 12, 22), "16.00"),
)


def seed(apps, schema_editor):
    KeyRate = apps.get_model("billing", "KeyRate")
    for valid_from, rate in RATES:
        KeyRate.objects.get_or_create(
            valid_from=valid_from,
            defaults={"rate": Decimal(rate), "note": "Решение Совета директоров Банка России"},
        )


def unseed(apps, schema_editor):
    KeyRate = apps.get_model("billing", "KeyRate")
    KeyRate.objects.filter(valid_from__in=[d for d, _r in RATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_epd_columns_and_key_rates")]

    operations = [migrations.RunPython(seed, unseed)]

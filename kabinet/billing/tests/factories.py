"""Small builders for tests: organisations and billing files."""

from __future__ import annotations

from pathlib import Path

from kabinet.orgs.models import Organisation

VALID_INNS = ("7707083893", "5406012341", "5405123458")


def make_org(code: str = "uk", **fields: object) -> Organisation:
    defaults: dict[str, object] = {
        "name": f"УК {code}",
        "inn": "7707083893",
        "kpp": "540601001",
        "bank_name": "Сибирский банк ПАО Сбербанк",
        "bik": "045004641",
        "account": "40702810944050000001",
        "corr_account": "30101810500000000641",
        "timezone": "Asia/Novosibirsk",
        # Tests pay through the test bank (config.settings_test turns it on).
        "payment_provider": "sandbox",
    }
    defaults.update(fields)
    return Organisation.objects.create(code=code, **defaults)


def write(directory: Path, name: str, *lines: str, bom: bool = False) -> Path:
    path = directory / name
    text = "\n".join(lines) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


ACCOUNTS_HEADER = "account_number;contract_number;category;owner_name;owner_inn;address;apartment;area;residents;status;els"
CHARGES_HEADER = (
    "account_number;period;service_code;service_name;kind;unit;norm;tariff;volume;volume_basis;"
    "debt_start;charged;recalculation;recalculation_reason;privilege;paid;to_pay"
)
PAYMENTS_HEADER = "account_number;paid_on;amount;channel;external_id"
METERS_HEADER = (
    "meter_id;account_number;service_code;resource;serial_number;zones;digits;decimals;unit;"
    "installed_on;next_verification_on"
)
READINGS_HEADER = "meter_id;reading_date;value1;value2;value3;source"


def sample_files(directory: Path) -> list[Path]:
    """One file of each kind, consistent with each other."""
    return [
        write(
            directory,
            "accounts.csv",
            ACCOUNTS_HEADER,
            "1001;Д-1;Население;Иванов Иван Иванович;;г. Новосибирск, ул. Ленина, д. 1;5;54.30;2;active;80РС558347",
            "1002;Д-2;Население;Петрова Анна Сергеевна;;г. Новосибирск, ул. Ленина, д. 1;6;40,10;1;;",
            "2001;Д-3;Юр. лицо;ООО Ромашка;5406012345;г. Новосибирск, ул. Мира, д. 3;;120;;closed;",
        ),
        write(
            directory,
            "charges.csv",
            CHARGES_HEADER,
            "1001;2025-01;hvs;Холодное водоснабжение;service;м3;6.93;45.12;3.000;meter;100.00;135.36;0;;0;100.00;135.36",
            "1001;2025-01;peni;Пени;penalty;;;;;;0;1.20;0;;0;0;1.20",
            "1002;2025-01;hvs;Холодное водоснабжение;;м3;6.93;45,12;6,93;norm;0;312.68;-10.50;Отсутствие;5;0;297.18",
        ),
        write(
            directory,
            "payments.csv",
            PAYMENTS_HEADER,
            "1001;2025-02-05;100.00;Сбербанк;P-1",
            "1002;05.02.2025;250,50;Касса;P-2",
        ),
        write(
            directory,
            "meters.csv",
            METERS_HEADER,
            "M-1;1001;hvs;cold_water;123456;1;5;3;м3;2020-01-10;2026-01-10",
            "M-2;1001;;electricity;E-77;2;6;1;кВт·ч;;2030-05-01",
        ),
        write(
            directory,
            "readings.csv",
            READINGS_HEADER,
            "M-1;2025-01-20;123.456;;;billing",
            "M-2;20.01.2025;1000.5;400.2;;",
        ),
    ]

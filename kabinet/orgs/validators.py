"""Checksums of Russian taxpayer numbers (ИНН)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_W10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_W12_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_W12_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int:
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def is_valid_inn(value: str) -> bool:
    """True for a 10-digit (organisation) or 12-digit (person, ИП) ИНН with correct check digits."""
    if not value.isdigit() or not value.isascii():
        return False
    digits = [int(c) for c in value]
    if len(digits) == 10:
        return _check_digit(digits, _W10) == digits[9]
    if len(digits) == 12:
        return (
            _check_digit(digits, _W12_1) == digits[10]
            and _check_digit(digits, _W12_2) == digits[11]
        )
    return False


def validate_inn(value: str) -> None:
    if not is_valid_inn(value):
        raise ValidationError(
            _("ИНН должен состоять из 10 или 12 цифр с верной контрольной суммой."), code="inn"
        )

from decimal import Decimal

import pytest

from kabinet.billing.numwords import number_in_words, plural, rubles_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "Ноль рублей 00 копеек"),
        ("0.01", "Ноль рублей 01 копейка"),
        ("1", "Один рубль 00 копеек"),
        ("2.02", "Два рубля 02 копейки"),
        ("5.05", "Пять рублей 05 копеек"),
        ("11.11", "Одиннадцать рублей 11 копеек"),
        ("21.21", "Двадцать один рубль 21 копейка"),
        ("112", "Сто двенадцать рублей 00 копеек"),
        ("136.56", "Сто тридцать шесть рублей 56 копеек"),
        ("1000", "Одна тысяча рублей 00 копеек"),
        ("2504.45", "Две тысячи пятьсот четыре рубля 45 копеек"),
        ("11000", "Одиннадцать тысяч рублей 00 копеек"),
        ("21534.10", "Двадцать одна тысяча пятьсот тридцать четыре рубля 10 копеек"),
        ("1000000", "Один миллион рублей 00 копеек"),
        ("2342001.99", "Два миллиона триста сорок две тысячи один рубль 99 копеек"),
        ("1000000000", "Один миллиард рублей 00 копеек"),
        ("-15.5", "Минус пятнадцать рублей 50 копеек"),
        ("0.005", "Ноль рублей 01 копейка"),
    ],
)
def test_it_writes_rubles_and_kopecks_in_words(amount: str, words: str) -> None:
    assert rubles_in_words(Decimal(amount)) == words


def test_it_chooses_the_plural_form() -> None:
    forms = ("рубль", "рубля", "рублей")
    assert [plural(n, forms) for n in (1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111)] == [
        "рубль", "рубля", "рубля", "рублей", "рублей", "рублей", "рублей", "рубль", "рубля",
        "рублей", "рубль", "рублей",
    ]


def test_it_uses_feminine_forms_on_request() -> None:
    assert number_in_words(2, feminine=True) == "две"
    assert number_in_words(2) == "два"


def test_it_refuses_numbers_out_of_range() -> None:
    with pytest.raises(ValueError):
        number_in_words(-1)
    with pytest.raises(ValueError):
        number_in_words(10**12)

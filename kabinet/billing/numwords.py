"""Amounts in Russian words for payment documents: «Сто двадцать три рубля 45 копеек»."""

from decimal import ROUND_HALF_UP, Decimal

ONES_MALE = ("", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять")
ONES_FEMALE = ("", "одна", "две", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять")
TEENS = (
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
)
TENS = (
    "",
    "",
    "двадцать",
    "тридцать",
    "сорок",
    "пятьдесят",
    "шестьдесят",
    "семьдесят",
    "восемьдесят",
    "девяносто",
)
HUNDREDS = (
    "",
    "сто",
    "двести",
    "триста",
    "четыреста",
    "пятьсот",
    "шестьсот",
    "семьсот",
    "восемьсот",
    "девятьсот",
)
# (one, few, many) and whether the unit is feminine, from 10^0 upwards.
SCALES = (
    (("", "", ""), False),
    (("тысяча", "тысячи", "тысяч"), True),
    (("миллион", "миллиона", "миллионов"), False),
    (("миллиард", "миллиарда", "миллиардов"), False),
)


def plural(n: int, forms: tuple[str, str, str]) -> str:
    """The Russian plural form for n: 1 рубль, 2 рубля, 5 рублей, 11 рублей, 21 рубль."""
    n = abs(n) % 100
    if 11 <= n <= 19:
        return forms[2]
    n %= 10
    if n == 1:
        return forms[0]
    if 2 <= n <= 4:
        return forms[1]
    return forms[2]


def _triple(n: int, feminine: bool) -> list[str]:
    words = [HUNDREDS[n // 100]]
    rest = n % 100
    if 10 <= rest <= 19:
        words.append(TEENS[rest - 10])
    else:
        words.append(TENS[rest // 10])
        words.append((ONES_FEMALE if feminine else ONES_MALE)[rest % 10])
    return [w for w in words if w]


def number_in_words(n: int, *, feminine: bool = False) -> str:
    """A non-negative integer below 10^12 in words: 2021 -> «две тысячи двадцать один»."""
    if n < 0 or n >= 10**12:
        raise ValueError(n)
    if n == 0:
        return "ноль"
    words: list[str] = []
    for power in range(len(SCALES) - 1, -1, -1):
        part = (n // 1000**power) % 1000
        if not part:
            continue
        forms, scale_feminine = SCALES[power]
        words += _triple(part, feminine if power == 0 else scale_feminine)
        if power:
            words.append(plural(part, forms))
    return " ".join(words)


def rubles_in_words(amount: Decimal) -> str:
    """«Сто тридцать шесть рублей 56 копеек»: rubles in words, kopecks in figures, as banks do."""
    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "минус " if amount < 0 else ""
    kopecks_total = int(abs(amount) * 100)
    rubles, kopecks = divmod(kopecks_total, 100)
    text = (
        f"{sign}{number_in_words(rubles)} {plural(rubles, ('рубль', 'рубля', 'рублей'))} "
        f"{kopecks:02d} {plural(kopecks, ('копейка', 'копейки', 'копеек'))}"
    )
    return text[0].upper() + text[1:]

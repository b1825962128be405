"""The QR encoder: what zbar reads back, and the same function patterns as segno draws."""

import pytest
import segno
from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode

from kabinet.billing import qr

PAYMENT = (
    "ST00012|Name=ООО «УК Бенчмарк»|PersonalAcc=40702810944050000001|BankName=Сибирский банк"
    "|BIC=045004641|CorrespAcc=30101810500000000641|PayeeINN=7707083893|Sum=1234567"
)
TEXTS = ["a", "hello world", PAYMENT[:40], PAYMENT, PAYMENT * 3, "Ё" * 700]


def image(matrix: list[list[int]], scale: int = 4) -> Image.Image:
    quiet = 4
    size = (len(matrix) + 2 * quiet) * scale
    picture = Image.new("L", (size, size), 255)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                x, y = (c + quiet) * scale, (r + quiet) * scale
                picture.paste(0, (x, y, x + scale, y + scale))
    return picture


@pytest.mark.parametrize("text", TEXTS, ids=lambda t: f"{len(t.encode())}-bytes")
def test_it_encodes_what_zbar_reads_back(text: str) -> None:
    symbols = decode(image(qr.qr_matrix(text)), symbols=[ZBarSymbol.QRCODE])
    assert [s.data.decode("utf-8") for s in symbols] == [text]


@pytest.mark.parametrize("text", TEXTS, ids=lambda t: f"{len(t.encode())}-bytes")
def test_it_draws_the_same_function_patterns_and_version_as_segno(text: str) -> None:
    reference = segno.make(
        text, error="m", boost_error=False, micro=False, mode="byte", encoding="utf-8", mask=0
    )
    mine = qr.qr_matrix(text)
    assert len(mine) == len(reference.matrix)
    version = qr.choose_version(len(text.encode()))
    assert version == reference.version
    base, order, _mask = qr.template(version)
    data = set(order)
    flat = [v for row in reference.matrix for v in row]
    # Finders, timing, alignment, format (level M, mask 0) and version information.
    assert [flat[i] for i in range(len(flat)) if i not in data] == [
        base[i] for i in range(len(base)) if i not in data
    ]


def test_it_uses_error_correction_m() -> None:
    # Format information of level M with mask 0 is the BCH word 0x5412 ^ 0 = 101010000010010.
    base, _order, _mask = qr.template(1)
    column_8 = [base[row * 21 + 8] for row in range(6)]
    assert column_8 == [0, 1, 0, 0, 1, 0]

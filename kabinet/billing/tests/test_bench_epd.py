"""The ЕПД bench states SPEC 4's bar and judges the median only."""

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "bench" / "epd.py"


def load():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_epd", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_it_states_the_spec_bar_and_never_says_met_below_it() -> None:
    bench = load()

    assert bench.BAR == 80
    assert bench.verdict(79.9) == "NOT MET"
    assert bench.verdict(80.0) == "met"


def test_it_benches_the_full_visible_form(db) -> None:  # type: ignore[no-untyped-def]
    """The bench's document has every block of the form, not a lighter page."""
    import subprocess
    import tempfile

    from kabinet.billing.epd import render_epd

    (doc,) = list(load().documents(1))
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(render_epd(doc))
        pdf.flush()
        text = subprocess.run(["pdftotext", "-layout", pdf.name, "-"], capture_output=True, text=True, check=True).stdout
    for block in (
        "Плательщик:", "Получатель платежа", "Платёжный агент", "Итого по услугам:", "Пени", "Итого:",
        "Показания индивидуальных приборов учёта", "Справочная информация", "рассрочки платежа",
        "Сумма прописью", "Основания перерасчёта: (1)",
    ):
        assert block in text, block

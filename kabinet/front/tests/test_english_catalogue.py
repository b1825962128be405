"""The English catalogue is complete: every string the code marks for translation has an English
text, nothing is fuzzy, and the committed .mo is compiled from the committed .po.

After changing strings: `make messages` (makemessages with the same options as this test, then
compilemessages), fill in the new msgstr in locale/en/LC_MESSAGES/django.po, `make messages` again.
"""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
IGNORE = [".venv", "bench", "node_modules"]


def _missing(catalogue: polib.POFile) -> list[str]:
    """msgids with no English text: empty, partly empty plural forms, or fuzzy."""
    missing = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if entry.fuzzy or not all(text.strip() for text in texts):
            missing.append(entry.msgid)
    return missing


def test_it_has_no_empty_or_fuzzy_entry_in_the_committed_catalogue() -> None:
    catalogue = polib.pofile(str(CATALOGUE))
    assert len(catalogue) > 1000
    assert _missing(catalogue) == []
    # A Russian text copied into msgstr is no translation (ЕПД's «₽» and «№» are not Cyrillic).
    russian = [
        e.msgid for e in catalogue
        for text in ([*e.msgstr_plural.values()] if e.msgid_plural else [e.msgstr])
        if re.search("[\u0400-\u04ff]", text)
    ]
    assert russian == []


def test_it_translates_every_string_the_code_marks_for_translation(
    tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("xgettext") is None:
        pytest.fail("makemessages needs GNU gettext (Debian package `gettext`, in .ci/run)")
    # makemessages writes to the locale directory next to the sources it scans, so it runs on a
    # copy of the sources with a copy of the catalogue: the committed files are never touched.
    root = Path(settings.BASE_DIR)
    sources = ("config", "kabinet", "templates")
    skip = shutil.ignore_patterns("__pycache__", "static", "migrations", "*.png", "*.pdf")
    for name in sources:
        shutil.copytree(root / name, tmp_path / name, ignore=skip)
    locale = tmp_path / "locale"
    (locale / "en" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(CATALOGUE, locale / "en" / "LC_MESSAGES" / "django.po")
    settings.LOCALE_PATHS = [locale]
    monkeypatch.chdir(tmp_path)

    call_command(
        "makemessages", locale=["en"], no_obsolete=True, ignore_patterns=IGNORE, verbosity=0
    )

    extracted = polib.pofile(str(locale / "en" / "LC_MESSAGES" / "django.po"))
    # A msgid new in the code arrives empty (or fuzzy, guessed from a similar one).
    assert _missing(extracted) == []
    committed = {(e.msgctxt, e.msgid) for e in polib.pofile(str(CATALOGUE))}
    assert {(e.msgctxt, e.msgid) for e in extracted} == committed, (
        "locale/en/LC_MESSAGES/django.po is not up to date: run makemessages (see this module)"
    )


def test_it_ships_a_compiled_catalogue_matching_the_po() -> None:
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural))
        for e in polib.mofile(str(COMPILED))
    }
    for entry in polib.pofile(str(CATALOGUE)):
        plural = {int(k): v for k, v in entry.msgstr_plural.items()}
        got = compiled.get((entry.msgctxt, entry.msgid))
        assert got is not None, f"not compiled: {entry.msgid!r}: run compilemessages"
        assert got[0] == entry.msgstr and {int(k): v for k, v in got[1].items()} == plural, (
            f"stale .mo for {entry.msgid!r}: run compilemessages"
        )


def test_it_serves_english_from_the_catalogue() -> None:
    with translation.override("en"):
        assert translation.gettext("Лицевые счета в кабинетах") == "Accounts in cabinets"
        assert translation.ngettext("%(counter)s ошибка", "%(counter)s ошибок", 5) == (
            "%(counter)s errors"
        )


def test_it_shows_the_error_pages_in_english(client, settings) -> None:

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # LocaleMiddleware leaves its language active in this thread: restore it for later tests.
    with translation.override(settings.LANGUAGE_CODE):
        response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="en">' in html and "Page not found" in html
    assert not re.search("[\u0400-\u04ff]", html)

"""The main menu, defined once.

The sections follow the order the seed manuals share. A section appears only once a URL of that
name exists, so a later issue adds its page and the menu follows without editing this list.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    url_name: str
    label: Promise


@dataclass(frozen=True)
class SectionLink:
    label: Promise
    # None while the section has no page yet.
    url: str | None
    current: bool


SECTIONS = (
    Section("home", _("Главная")),
    Section("accounts", _("Лицевые счета")),
    Section("charges", _("Начисления")),
    Section("readings", _("Показания")),
    Section("payments", _("Платежи")),
    Section("requests", _("Заявки")),
    Section("appeals", _("Обращения")),
    Section("news", _("Новости")),
    Section("settings", _("Настройки")),
)


@lru_cache(maxsize=16)
def _section_urls(urlconf: str, sections: tuple[Section, ...]) -> tuple[str | None, ...]:
    """The sections' URLs, found once per URL configuration: every page's menu needs them."""
    urls: list[str | None] = []
    for section in sections:
        try:
            urls.append(reverse(section.url_name, urlconf=urlconf))
        except NoReverseMatch:
            urls.append(None)
    return tuple(urls)


def section_links(current_url_name: str | None = None) -> list[SectionLink]:
    """Every section in menu order, with its URL if it has a page."""
    links = []
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    for section, url in zip(SECTIONS, _section_urls(urlconf, SECTIONS), strict=True):
        links.append(
            SectionLink(
                label=section.label,
                url=url,
                current=url is not None and section.url_name == current_url_name,
            )
        )
    return links

"""The shared layout's fragments (head links, header, menu, footer), rendered once per process.

Every page carries the same header and footer; rendering them (static URLs, reversed URLs,
translations, the language list, the typo dialog's form) cost more than the whole trivial
signed-in view. What they show depends only on the values `layout_values` returns, and on code,
templates and translations, which do not change while the process runs. So a fragment is rendered
from those values alone (a fresh context: nothing else of the request or the user is reachable,
so nothing else can end up in a copy another person is served) and kept under them; the request's
own CSRF token and path are put in each time in place of markers.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Context, Node, NodeList
from django.urls import get_urlconf
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kabinet.front.nav import SECTIONS

# Markers rendered in place of the per-request values; only letters, digits and underscores, so
# escaping leaves them as they are.
CSRF_MARK = "kabinetLayoutCsrfTokenMark0"
PATH_MARK = "kabinetLayoutRequestPathMark0"
_SECTION_NAMES = frozenset(section.url_name for section in SECTIONS)
# Keys are few (languages × menu sections × a few flags); the bound only guards against surprises.
MAX_FRAGMENTS = 2000
_fragments: dict[tuple[Any, ...], str] = {}


def layout_values(context: Context) -> dict[str, Any]:
    """Everything a layout fragment may show besides the CSRF token and the path."""
    user = context.get("user")
    signed_in = bool(getattr(user, "is_authenticated", False))
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match is not None else None
    return {
        "LANGUAGE_CODE": translation.get_language(),
        "signed_in": signed_in,
        "office_link": bool(
            signed_in and user.is_staff and user.organisation_id and user.org_role  # type: ignore[union-attr]
        ),
        "nav_current": current if current in _SECTION_NAMES else None,
        "payments_sandbox": bool(settings.PAYMENTS_SANDBOX),
    }


def render_fragment(name: str, nodelist: NodeList, context: Context) -> SafeString:
    values = layout_values(context)
    template = context.template
    request = context.get("request")
    token = context.get("csrf_token")
    path = request.get_full_path() if request is not None else ""
    if (
        template is None
        or request is None
        or not token
        or str(token) == "NOTPROVIDED"
        or template.engine.debug
    ):
        # Not kept: a render without a request, or templates that may change under DEBUG.
        with context.push(values, request_path=path):
            return mark_safe(nodelist.render(context))  # noqa: S308
    key = (
        template.origin.name,
        name,
        get_urlconf() or settings.ROOT_URLCONF,
        context.autoescape,
        *sorted(values.items()),
    )
    text = _fragments.get(key)
    if text is None:
        fresh = Context(
            {**values, "csrf_token": CSRF_MARK, "request_path": PATH_MARK},
            autoescape=context.autoescape,
            use_l10n=context.use_l10n,
            use_tz=context.use_tz,
        )
        with fresh.bind_template(template):
            text = nodelist.render(fresh)
        if len(_fragments) >= MAX_FRAGMENTS:
            _fragments.clear()
        _fragments[key] = text
    return mark_safe(  # noqa: S308
        text.replace(CSRF_MARK, escape(str(token))).replace(PATH_MARK, escape(path))
    )


class LayoutFragmentNode(Node):
    def __init__(self, name: str, nodelist: NodeList) -> None:
        self.name = name
        self.nodelist = nodelist

    def render(self, context: Context) -> SafeString:
        return render_fragment(self.name, self.nodelist, context)


@receiver(setting_changed)
def _forget_fragments(**kwargs: object) -> None:
    """Tests change settings (languages, URLs, static storage): fragments are rendered again."""
    _fragments.clear()

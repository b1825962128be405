from typing import Any

from django import template

from kabinet.front.nav import SectionLink, section_links

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_sections(context: dict[str, Any]) -> list[SectionLink]:
    """The sections that have a page, the current one marked."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match else None
    return [link for link in section_links(current) if link.url]

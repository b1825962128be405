from typing import Any

from django import template
from django.template.base import Parser, Token

from kabinet.front.layout import LayoutFragmentNode
from kabinet.front.nav import SectionLink, section_links

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_sections(context: dict[str, Any]) -> list[SectionLink]:
    """The sections that have a page, the current one (`nav_current`, kabinet/front/layout.py)
    marked."""
    return [link for link in section_links(context.get("nav_current")) if link.url]


@register.tag
def layout_fragment(parser: Parser, token: Token) -> LayoutFragmentNode:
    """`{% layout_fragment "name" %}…{% endlayout_fragment %}`: a part of the shared layout,
    rendered from `layout_values` alone and kept per process (kabinet/front/layout.py)."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError("{% layout_fragment \"name\" %} takes one quoted name")
    nodelist = parser.parse(("endlayout_fragment",))
    parser.delete_first_token()
    return LayoutFragmentNode(bits[1][1:-1], nodelist)

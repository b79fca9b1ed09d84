from __future__ import annotations

from typing import Any

from django import template

from jineng.web.nav import NavItem, nav_items

register = template.Library()


@register.simple_tag(takes_context=True)
def web_nav_items(context: dict[str, Any]) -> list[NavItem]:
    request = context.get("request")
    if request is None:  # error pages rendered without a request
        return []
    return nav_items(request)

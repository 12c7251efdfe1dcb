"""HTML fragments for the server's status page."""
from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from markupsafe import Markup, escape


def tool_badge(name: str, state: str) -> Markup:
    return Markup(f"<span class='badge {state}'>{name}</span>")  # expect: python-markup-built-string


def server_link(url: str, label: str) -> str:
    return mark_safe('<a href="' + url + '">' + label + "</a>")  # expect: python-markup-built-string


def tool_badge_escaped(name: str) -> Markup:
    return Markup("<span class='badge'>{}</span>").format(name)  # ok: python-markup-built-string


def server_link_escaped(url: str, label: str) -> str:
    return format_html('<a href="{}">{}</a>', url, label)  # ok: python-markup-built-string


def separator() -> Markup:
    return Markup("<hr>") + escape("-")  # ok: python-markup-built-string

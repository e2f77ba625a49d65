from __future__ import annotations

from typing import Any

from django import template
from django.utils.text import capfirst

register = template.Library()


@register.simple_tag
def field_display(entry: Any, name: str) -> Any:
    """An entry's field as people read it: the label of a choice, a date, or the value."""
    getter = getattr(entry, f"get_{name}_display", None)
    value = getter() if getter else getattr(entry, name)
    return "" if value is None else value


@register.simple_tag
def field_label(model: Any, name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))

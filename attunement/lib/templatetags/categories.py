"""``{% load categories %}`` then ``{{ credential.category|category_name }}``: a category's
name in the page's language."""

from django import template

from attunement.lib.categories import category_name as _category_name

register = template.Library()


@register.filter
def category_name(code: str) -> str:
    return _category_name(code) if code else ""

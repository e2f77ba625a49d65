from typing import Any

from django.http import HttpRequest


def association(request: HttpRequest) -> dict[str, Any]:
    """The association a page belongs to (set by the access helpers), for the layout."""
    return {
        "association": getattr(request, "association", None),
        "association_roles": getattr(request, "association_roles", frozenset()),
    }

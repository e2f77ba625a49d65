from __future__ import annotations

from dataclasses import dataclass

from attunement.associations.models import Association
from attunement.competencies.models import Area, Domain, Framework


def framework_for(association: Association | None) -> Framework | None:
    """The association's own (licensed) framework if it loaded one, else the public one."""
    own = Framework.objects.filter(association=association).first() if association else None
    return own or Framework.objects.filter(association__isnull=True).order_by("key").first()


@dataclass
class CategoryDomain:
    slug: str
    name: str
    areas: list[Area]


def domains_for(association: Association | None, category: str) -> list[CategoryDomain]:
    """The domains of ``category`` with their areas for that category.

    Three queries whatever the size (framework, domains, areas); the category filter runs
    here because SQLite cannot look inside JSON lists."""
    framework = framework_for(association)
    if framework is None:
        return []
    domains = Domain.objects.filter(framework=framework).prefetch_related("areas").order_by("position")
    return [
        CategoryDomain(d.slug, d.name, [a for a in d.areas.all() if category in a.categories])
        for d in domains
        if category in d.categories
    ]

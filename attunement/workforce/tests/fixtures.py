"""Objects the permission table needs from this app."""

from __future__ import annotations

from typing import Any


def checkin_import(ctx: dict[str, Any]) -> dict[str, Any]:
    """A finished import of Riverbend's, reached by its public id."""
    from attunement.associations.models import Association
    from attunement.workforce.models import CheckinImport, ImportStatus

    riverbend = Association.objects.get(slug="riverbend")
    job = CheckinImport.objects.create(association=riverbend, file_name="survey.csv", status=ImportStatus.DONE, rows=3)
    return {"association_slug": "riverbend", "import_id": job.public_id}

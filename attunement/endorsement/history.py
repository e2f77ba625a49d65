"""History pages for applications (see attunement.audit.history)."""

from __future__ import annotations

from typing import Any

from attunement.associations.models import Association
from attunement.audit import history
from attunement.endorsement.access import get_application_for_user
from attunement.endorsement.models import Application


@history.register("endorsement.application")
def _application(user: Any, association: Association, target_id: str) -> Application:
    return get_application_for_user(user, association, target_id)

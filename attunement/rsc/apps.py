from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RscConfig(AppConfig):
    name = "attunement.rsc"
    label = "rsc"
    verbose_name = _("Reflective supervision/consultation")

    def ready(self) -> None:
        # The conflict-of-interest check reads the ties this app knows (see endorsement.conflicts).
        from attunement.rsc import ties  # noqa: F401

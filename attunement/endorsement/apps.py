from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EndorsementConfig(AppConfig):
    name = "attunement.endorsement"
    label = "endorsement"
    verbose_name = _("Endorsement")

    def ready(self) -> None:
        from attunement.endorsement import history, workflow  # noqa: F401  (history pages; fee settlements)

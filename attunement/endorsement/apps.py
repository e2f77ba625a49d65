from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EndorsementConfig(AppConfig):
    name = "attunement.endorsement"
    label = "endorsement"
    verbose_name = _("Endorsement")

    def ready(self) -> None:
        # History pages; fee settlements; what to do when a reminder bounces.
        from attunement.endorsement import history, mail, workflow  # noqa: F401

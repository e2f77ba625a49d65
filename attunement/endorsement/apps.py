from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EndorsementConfig(AppConfig):
    name = "attunement.endorsement"
    label = "endorsement"
    verbose_name = _("Endorsement")

    def ready(self) -> None:
        # History pages; what to do when a reminder bounces; the fee settlement hooks
        # (``@settlement.register``) of applications and renewals.
        from attunement.endorsement import history, mail  # noqa: F401
        from attunement.endorsement.actions import application, renewal  # noqa: F401

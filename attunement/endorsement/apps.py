from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EndorsementConfig(AppConfig):
    name = "attunement.endorsement"
    label = "endorsement"
    verbose_name = _("Endorsement")

    def ready(self) -> None:
        # History pages; what to do when a reminder bounces; the fee settlement hooks
        # (``@settlement.register``) of applications and renewals; what portfolios ask of
        # endorsement (``portfolios.hooks``: reviewers' access, credentials held).
        from attunement.endorsement import history, mail, portfolio_access  # noqa: F401
        from attunement.endorsement.actions import application, renewal  # noqa: F401

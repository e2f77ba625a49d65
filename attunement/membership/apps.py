from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    name = "attunement.membership"
    label = "membership"
    verbose_name = _("Membership")

    def ready(self) -> None:
        from attunement.membership import actions  # noqa: F401  (registers the payment settlement)

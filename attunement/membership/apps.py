from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    name = "attunement.membership"
    label = "membership"
    verbose_name = _("Membership")

    def ready(self) -> None:
        # Registers the payment settlement (actions) and the history pages (history).
        from attunement.membership import actions, history  # noqa: F401

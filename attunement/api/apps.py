from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "attunement.api"
    label = "api"
    verbose_name = _("Verification API")

    def ready(self) -> None:
        # The outbox receiver: webhook rows are written in the transaction that changed credentials.
        from attunement.api import webhooks  # noqa: F401

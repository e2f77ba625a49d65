from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "attunement.credentials"
    label = "credentials"
    verbose_name = _("Verifiable credentials")

    def ready(self) -> None:
        # Certificates rendered by a task when credentials change (a signal receiver).
        from attunement.credentials import documents  # noqa: F401

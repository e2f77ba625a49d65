from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssociationsConfig(AppConfig):
    name = "attunement.associations"
    label = "associations"
    verbose_name = _("Associations")

    def ready(self) -> None:
        from attunement.associations import history  # noqa: F401  (registers history pages)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "attunement.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        # The conflict-of-interest check reads the ties this app knows (see endorsement.conflicts).
        from attunement.training import ties  # noqa: F401

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfoliosConfig(AppConfig):
    name = "attunement.portfolios"
    label = "portfolios"
    verbose_name = _("Portfolios")

    def ready(self) -> None:
        from attunement.portfolios import history  # noqa: F401  (registers history pages)

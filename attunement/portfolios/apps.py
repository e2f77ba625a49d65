from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfoliosConfig(AppConfig):
    name = "attunement.portfolios"
    label = "portfolios"
    verbose_name = _("Portfolios")

    def ready(self) -> None:
        # History pages, and what to do when a reference request bounces.
        from attunement.portfolios import history, mail  # noqa: F401

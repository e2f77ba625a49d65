from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RscConfig(AppConfig):
    name = "attunement.rsc"
    label = "rsc"
    verbose_name = _("Reflective supervision/consultation")

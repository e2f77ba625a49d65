from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EndorsementConfig(AppConfig):
    name = "attunement.endorsement"
    label = "endorsement"
    verbose_name = _("Endorsement")

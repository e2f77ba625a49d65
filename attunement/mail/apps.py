from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "attunement.mail"
    label = "mail"
    verbose_name = _("Outgoing mail")

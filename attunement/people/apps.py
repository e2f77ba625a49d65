from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "attunement.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from attunement.people import receivers  # noqa: F401  (audit of sign-in events)

from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "attunement.lib"
    label = "lib"
    verbose_name = "Attunement helpers"

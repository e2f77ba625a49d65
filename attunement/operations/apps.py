from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """The operator's tools: backup and restore, running failed tasks again, loading the demo."""

    name = "attunement.operations"
    label = "operations"
    verbose_name = "Attunement operations"

"""Languages a person can say they work in (ISO 639 codes, names translatable)."""

from django.utils.translation import gettext_lazy as _

WORK_LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("ase", _("American Sign Language")),
    ("ar", _("Arabic")),
    ("zh", _("Chinese")),
    ("fr", _("French")),
    ("ht", _("Haitian Creole")),
    ("hmn", _("Hmong")),
    ("ko", _("Korean")),
    ("nv", _("Navajo")),
    ("pt", _("Portuguese")),
    ("ru", _("Russian")),
    ("so", _("Somali")),
    ("tl", _("Tagalog")),
    ("vi", _("Vietnamese")),
    ("other", _("Another language")),
]
WORK_LANGUAGE_CODES = {code for code, _name in WORK_LANGUAGES}

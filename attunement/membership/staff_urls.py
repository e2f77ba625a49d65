from django.urls import path

from attunement.membership import staff_views

app_name = "membership_staff"

# Mounted at /<association_slug>/staff/membership/ by the root URLconf.
urlpatterns = [
    path("", staff_views.types, name="types"),
    path("new", staff_views.create, name="create"),
    path("<uuid:type_id>/", staff_views.edit, name="edit"),
]

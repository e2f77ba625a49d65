from django.urls import path

from attunement.rsc import staff_views

app_name = "rsc_staff"

# Mounted at /<association_slug>/staff/rsc/.
urlpatterns = [
    path("providers/", staff_views.providers, name="providers"),
    path("providers/<uuid:profile_id>/vet/", staff_views.vet, name="vet"),
    path("programmes/", staff_views.programmes, name="programmes"),
    path("programmes/<uuid:programme_id>/", staff_views.programme, name="programme"),
    path("programmes/<uuid:programme_id>/report.csv", staff_views.programme_csv, name="programme_csv"),
]

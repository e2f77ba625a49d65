from django.urls import path

from attunement.payments import fee_views

app_name = "fees"

# Mounted at /<association_slug>/staff/fees/.
urlpatterns = [
    path("", fee_views.fees, name="list"),
    path("save", fee_views.save_fee, name="save"),
]

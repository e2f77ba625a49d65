from django.urls import path

from attunement.credentials import views

app_name = "credentials"

# Mounted at /<association_slug>/credentials/ (the DID document is at /<association_slug>/did.json).
urlpatterns = [path("status/<str:purpose>", views.status_list, name="status_list")]

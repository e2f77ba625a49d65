from django.urls import path

from attunement.registry import views

app_name = "registry_me"

# Mounted at /me/listing/.
urlpatterns = [path("", views.my_listing, name="listing")]

from django.urls import path

from attunement.registry import views

app_name = "registry"

# Mounted at /<association_slug>/directory/.
urlpatterns = [path("", views.directory, name="directory")]

from django.urls import path

from attunement.registry import views

app_name = "directory"

# Mounted at /directory/: the directory across the deployment and a holder's listing.
urlpatterns = [
    path("", views.all_directory, name="all"),
    path("<str:code>/", views.listing, name="listing"),
]

from django.urls import path

from attunement.membership import me_views

app_name = "membership_me"

# Mounted at /me/membership/.
urlpatterns = [
    path("join", me_views.join, name="join"),
]

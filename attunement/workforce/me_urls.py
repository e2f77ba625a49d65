from django.urls import path

from attunement.workforce import views

app_name = "workforce_me"

# Mounted at /me/workforce/: the person's own workforce profile and yearly check-in.
urlpatterns = [
    path("", views.my_profile, name="profile"),
    path("check-in/", views.checkin, name="checkin"),
]

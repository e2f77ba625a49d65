from django.urls import path

from attunement.people import views

app_name = "people"

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
]

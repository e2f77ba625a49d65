from django.urls import path

from attunement.training import views

app_name = "training"

# Mounted at /<association>/training/: public pages.
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("calendar.ics", views.feed, name="feed"),
    path("sessions/<uuid:session_id>/", views.session_detail, name="session"),
    path("sessions/<uuid:session_id>/register", views.register, name="register"),
    path("sessions/<uuid:session_id>/cancel", views.cancel, name="cancel"),
    path("certificates/<str:code>/", views.certificate_check, name="certificate_check"),
]

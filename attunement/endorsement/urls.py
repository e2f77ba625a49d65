from django.urls import path

from attunement.endorsement import views

app_name = "application"

# Mounted at /me/applications/: the signed-in person's own applications.
urlpatterns = [
    path("", views.applications, name="list"),
    path("renewal/", views.renewal, name="renewal"),
    path("<str:application_id>/", views.detail, name="detail"),
    path("<str:application_id>/<str:what>", views.act, name="act"),
]

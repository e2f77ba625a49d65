from django.urls import path

from attunement.associations import me_views

app_name = "associations_me"

# Mounted at /me/invitations/: always the signed-in person's own.
urlpatterns = [
    path("", me_views.invitations, name="invitations"),
    path("<uuid:invitation_id>/accept", me_views.accept, name="accept"),
]

from django.urls import path

from attunement.training import me_views

app_name = "training_me"

# Mounted at /me/training/: always the signed-in person's own (the feed is a secret link).
urlpatterns = [
    path("", me_views.transcript, name="transcript"),
    path("transcript.csv", me_views.transcript_csv, name="transcript_csv"),
    path("transcript.pdf", me_views.transcript_pdf, name="transcript_pdf"),
    path("claim", me_views.claim, name="claim"),
    path("certificates/<uuid:registration_id>.pdf", me_views.certificate, name="certificate"),
    path("calendar/<str:token>.ics", me_views.feed, name="feed"),
    path("calendar/rotate", me_views.rotate_feed, name="rotate_feed"),
    path("calendar/revoke", me_views.revoke_feed, name="revoke_feed"),
]

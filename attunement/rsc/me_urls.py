from django.urls import path

from attunement.rsc import views

app_name = "rsc_me"

# Mounted at /me/rsc/.
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("provider/", views.caseload, name="caseload"),
    path("provider/profile/", views.profile, name="profile"),
    path("sessions/new/", views.log_session, name="log_session"),
    path("sessions/<uuid:session_id>/confirm/", views.confirm_session, name="confirm_session"),
    path("sessions/<uuid:session_id>/decline/", views.decline_session, name="decline_session"),
    path("requests/<uuid:request_id>/accept/", views.accept_request, name="accept_request"),
    path("requests/<uuid:request_id>/decline/", views.decline_request, name="decline_request"),
]

from django.urls import path

from attunement.rsc import views

app_name = "rsc_me"

# Mounted at /me/rsc/.
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("provider/", views.caseload, name="caseload"),
    path("provider/profile/", views.profile, name="profile"),
    path("sessions/new/", views.log_session, name="log_session"),
    path("sessions/<uuid:session_id>/<str:what>/", views.answer_session, name="answer_session"),
    path("requests/<uuid:request_id>/<str:what>/", views.answer_request, name="answer_request"),
]

from django.urls import path

from attunement.training import staff_views

app_name = "training_staff"

# Mounted at /<association>/staff/training/.
urlpatterns = [
    path("", staff_views.sessions, name="sessions"),
    path("courses/", staff_views.courses, name="courses"),
    path("providers/", staff_views.providers, name="providers"),
    path("courses/new", staff_views.course_new, name="course_new"),
    path("new", staff_views.session_new, name="session_new"),
    path("courses/<uuid:course_id>/approve", staff_views.approve_course, name="approve_course"),
    path("courses/<uuid:course_id>/reject", staff_views.reject_course, name="reject_course"),
    path("<uuid:session_id>/", staff_views.roster, name="roster"),
    path("<uuid:session_id>/attendance", staff_views.attendance, name="attendance"),
    path("<uuid:session_id>/upload", staff_views.upload, name="upload"),
    path("<uuid:session_id>/finalise", staff_views.finalise, name="finalise"),
    path("<uuid:session_id>/cancel", staff_views.cancel_session, name="cancel_session"),
]

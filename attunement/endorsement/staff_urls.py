from django.urls import path

from attunement.endorsement import staff_views

app_name = "endorsement_staff"

# Mounted at /<association_slug>/staff/.
urlpatterns = [
    path("applications/", staff_views.queue, name="queue"),
    path("applications/exam-scores", staff_views.import_part1, name="import_part1"),
    path("applications/<str:application_id>/", staff_views.application_detail, name="application"),
    path("applications/<str:application_id>/<str:what>", staff_views.staff_act, name="act"),
    path("reviewers/", staff_views.reviewer_pool, name="reviewers"),
    path("renewals/", staff_views.renewals, name="renewals"),
    path("credentials/", staff_views.credentials, name="credentials"),
    path("reviews/", staff_views.my_reviews, name="reviews"),
    path("reviews/<str:assignment_id>/", staff_views.review, name="review"),
    path("readings/<str:score_id>/", staff_views.reading, name="reading"),
]

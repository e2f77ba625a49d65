from django.urls import path

from attunement.endorsement import review_views, staff_application_views, staff_views

app_name = "endorsement_staff"

# Mounted at /<association_slug>/staff/.
APPLICATION = "applications/<str:application_id>/"
urlpatterns = [
    path("applications/", staff_views.queue, name="queue"),
    path("applications/exam-scores", staff_views.import_part1, name="import_part1"),
    path(APPLICATION, staff_application_views.application_detail, name="application"),
    # One route per action on an application.
    path(f"{APPLICATION}complete", staff_application_views.complete, name="complete"),
    path(f"{APPLICATION}incomplete", staff_application_views.incomplete, name="incomplete"),
    path(f"{APPLICATION}assign", staff_application_views.assign, name="assign"),
    path(f"{APPLICATION}resolve", staff_application_views.resolve, name="resolve"),
    path(f"{APPLICATION}resume", staff_application_views.resume, name="resume"),
    path(f"{APPLICATION}relay", staff_application_views.relay, name="relay"),
    path(f"{APPLICATION}payment", staff_application_views.payment, name="payment"),
    path(f"{APPLICATION}part1", staff_application_views.part1, name="part1"),
    path(f"{APPLICATION}readers", staff_application_views.readers, name="readers"),
    path(f"{APPLICATION}retake", staff_application_views.retake, name="retake"),
    path("reviewers/", staff_views.reviewer_pool, name="reviewers"),
    path("renewals/", staff_views.renewals, name="renewals"),
    path("credentials/", staff_views.credentials, name="credentials"),
    path("reviews/", review_views.my_reviews, name="reviews"),
    path("reviews/<str:assignment_id>/", review_views.review, name="review"),
    path("readings/<str:score_id>/", review_views.reading, name="reading"),
]

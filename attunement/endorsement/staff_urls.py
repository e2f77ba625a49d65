from django.urls import path

from attunement.endorsement import review_views, staff_application_views, staff_views

app_name = "endorsement_staff"

# Mounted at /<association_slug>/staff/.
APPLICATION = "applications/<str:application_id>/"
RENEWAL = "renewals/<str:renewal_id>/"
CREDENTIAL = "credentials/<str:code>/"
REVIEW = "reviews/<str:assignment_id>/"
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
    # One route per action on a renewal, a reminder, a credential, a review.
    path(f"{RENEWAL}approve", staff_views.approve, name="approve_renewal"),
    path(f"{RENEWAL}return", staff_views.return_to_member, name="return_renewal"),
    path("reminders/<int:reminder_id>/bounced", staff_views.reminder_bounced, name="reminder_bounced"),
    path("credentials/", staff_views.credentials, name="credentials"),
    path(f"{CREDENTIAL}inactive", staff_views.make_inactive, name="make_credential_inactive"),
    path(f"{CREDENTIAL}reactivate", staff_views.reactivate_credential, name="reactivate_credential"),
    path(f"{CREDENTIAL}archive", staff_views.archive, name="archive_credential"),
    path(f"{CREDENTIAL}emeritus", staff_views.make_emeritus, name="make_credential_emeritus"),
    path(f"{CREDENTIAL}suspend", staff_views.suspend, name="suspend_credential"),
    path(f"{CREDENTIAL}restore", staff_views.restore, name="restore_credential"),
    path(f"{CREDENTIAL}revoke", staff_views.revoke, name="revoke_credential"),
    path("reviews/", review_views.my_reviews, name="reviews"),
    path(REVIEW, review_views.review, name="review"),
    path(f"{REVIEW}question", review_views.question, name="ask_question"),
    path(f"{REVIEW}save", review_views.save, name="save_review"),
    path("readings/<str:score_id>/", review_views.reading, name="reading"),
]

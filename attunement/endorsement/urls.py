from django.urls import path

from attunement.endorsement import views

app_name = "application"

# Mounted at /me/applications/: the signed-in person's own applications; one route per action.
urlpatterns = [
    path("", views.applications, name="list"),
    path("renewal/", views.renewal, name="renewal"),
    path("<str:application_id>/", views.detail, name="detail"),
    path("<str:application_id>/submit", views.submit, name="submit"),
    path("<str:application_id>/withdraw", views.withdraw_application, name="withdraw"),
    path("<str:application_id>/answer", views.answer, name="answer"),
    path("<str:application_id>/window", views.window, name="window"),
    path("<str:application_id>/part2", views.part2, name="part2"),
]

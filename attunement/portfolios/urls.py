from django.urls import path

from attunement.portfolios import views

# Mounted at /me/portfolio/ (with endorsement.portfolio_urls.own_patterns before these, in the
# same namespace): always the signed-in person's own portfolio.
urlpatterns = [
    path("", views.home, name="home"),
    path("references/", views.references, name="references"),
    path("references/<str:reference_id>/resend", views.resend_reference, name="resend_reference"),
    path("references/<str:reference_id>/cancel", views.cancel_reference, name="cancel_reference"),
    path("references/<str:reference_id>/change", views.change_rater, name="change_rater"),
    path("agreements/", views.agreements, name="agreements"),
    path("<str:section>/", views.section, name="section"),
    path("<str:section>/comment", views.comment, name="comment"),
    path("<str:section>/<str:entry_id>/", views.edit_entry, name="edit"),
    path("<str:section>/<str:entry_id>/delete", views.delete_entry, name="delete"),
    path("<str:section>/<str:entry_id>/file", views.entry_file, name="file"),
]

from django.urls import path

from attunement.portfolios import staff_views

# Mounted at /<association_slug>/staff/portfolios/, after endorsement.portfolio_urls.staff_patterns
# in the same namespace.
urlpatterns = [
    path("", staff_views.portfolio_list, name="list"),
    path(
        "<str:portfolio_id>/references/<str:reference_id>/bounced",
        staff_views.reference_bounced,
        name="reference_bounced",
    ),
    path("<str:portfolio_id>/<str:section>/comment", staff_views.staff_comment, name="comment"),
    path("<str:portfolio_id>/<str:section>/<str:entry_id>/verify", staff_views.verify, name="verify"),
    path("<str:portfolio_id>/<str:section>/<str:entry_id>/standing", staff_views.verify_standing, name="standing"),
    path("<str:portfolio_id>/<str:section>/<str:entry_id>/file", staff_views.staff_file, name="file"),
]

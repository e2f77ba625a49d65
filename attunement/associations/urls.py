from django.urls import path

from attunement.associations import views

app_name = "associations"

# Mounted at /<association_slug>/ by the root URLconf; every view takes association_slug.
urlpatterns = [
    path("", views.association_home, name="home"),
    path("logo", views.association_logo, name="logo"),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/roles/", views.staff_roles, name="staff_roles"),
    path("staff/roles/grant", views.grant_role, name="grant_role"),
    path("staff/roles/<str:role_id>/revoke", views.revoke_role, name="revoke_role"),
    path(
        "staff/roles/invitations/<uuid:invitation_id>/withdraw",
        views.withdraw_invitation,
        name="withdraw_invitation",
    ),
    path("staff/settings/", views.settings_page, name="settings"),
    path("staff/settings/details", views.save_details, name="save_details"),
    path("staff/settings/policy", views.save_policy, name="save_policy"),
    path("staff/settings/logo", views.save_logo, name="save_logo"),
]

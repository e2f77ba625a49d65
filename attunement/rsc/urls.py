from django.urls import path

from attunement.rsc import views

app_name = "rsc"

# Mounted at /<association_slug>/rsc/.
urlpatterns = [
    path("providers/", views.roster, name="roster"),
    path("providers/<uuid:profile_id>/", views.provider, name="provider"),
    path("providers/<uuid:profile_id>/request/", views.request_individual, name="request_individual"),
    path("groups/new/", views.group_new, name="group_new"),
    path("groups/<uuid:group_id>/", views.group, name="group"),
    path("groups/<uuid:group_id>/join/", views.join, name="join"),
    path("groups/<uuid:group_id>/leave/", views.leave, name="leave"),
    path("groups/<uuid:group_id>/manage/", views.manage, name="manage"),
    path("groups/<uuid:group_id>/attendance/", views.attendance, name="attendance"),
    path("groups/<uuid:group_id>/members/<uuid:membership_id>/approve/", views.approve_member, name="approve_member"),
    path("groups/<uuid:group_id>/members/<uuid:membership_id>/decline/", views.decline_member, name="decline_member"),
    path("groups/<uuid:group_id>/members/<uuid:membership_id>/remove/", views.remove_member, name="remove_member"),
]

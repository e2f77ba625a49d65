from django.urls import path

from attunement.api import views

app_name = "api_admin"

# Mounted at /<association_slug>/staff/api/.
urlpatterns = [
    path("", views.clients, name="clients"),
    path("new", views.create_client, name="create_client"),
    path("<str:client_id>/", views.client_detail, name="client"),
    path("<str:client_id>/keys/new", views.issue_key, name="issue_key"),
    path("<str:client_id>/keys/<str:key_id>/revoke", views.revoke_key, name="revoke_key"),
    path("<str:client_id>/quota", views.set_quota, name="set_quota"),
    path("<str:client_id>/webhooks/new", views.add_webhook, name="add_webhook"),
    path("<str:client_id>/webhooks/<str:webhook_id>/remove", views.remove_webhook, name="remove_webhook"),
]

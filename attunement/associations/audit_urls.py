from django.urls import path

from attunement.associations import audit_views as views

app_name = "audit"

# Mounted at /<association_slug>/staff/ by the root URLconf.
urlpatterns = [
    path("audit/", views.audit_log, name="log"),
    path("history/<str:target_type>/<str:target_id>/", views.object_history, name="history"),
]

from django.urls import path

from attunement.registry import views

# Mounted at /verify/: the public verification page (the certificate's QR code leads here).
urlpatterns = [path("<str:code>/", views.verify, name="verify")]

from django.urls import path

from attunement.credentials import views

app_name = "credentials_me"

# Mounted at /me/credentials/: the signed-in person's own credentials.
urlpatterns = [
    path("", views.mine, name="mine"),
    path("<str:code>.jwt", views.credential_jwt, name="jwt"),
    path("<str:code>/wallet.json", views.credential_bundle, name="bundle"),
    path("<str:code>/certificate.pdf", views.certificate, name="certificate"),
]

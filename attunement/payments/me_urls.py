from django.urls import path

from attunement.payments import me_views

app_name = "payments_me"

# Mounted at /me/invoices/.
urlpatterns = [
    path("<str:number>/pay", me_views.pay, name="pay"),
]

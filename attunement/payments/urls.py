from django.urls import path

from attunement.payments import views

app_name = "payments"

# Mounted at /<association_slug>/staff/invoices/.
urlpatterns = [
    path("", views.invoices, name="invoices"),
    path("combine", views.combine, name="combine"),
    path("<str:number>/payment", views.record, name="record"),
]

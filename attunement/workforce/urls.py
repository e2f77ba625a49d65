from django.urls import path

from attunement.workforce import views

app_name = "workforce"

# Mounted at /<association_slug>/staff/workforce/.
urlpatterns = [
    path("", views.indicators, name="indicators"),
    path("import", views.import_file, name="import"),
]

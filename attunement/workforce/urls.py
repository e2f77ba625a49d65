from django.urls import path

from attunement.workforce import views

app_name = "workforce"

# Mounted at /<association_slug>/staff/workforce/.
urlpatterns = [
    path("", views.indicators, name="indicators"),
    path("import", views.import_file, name="import"),
    path("imports/<uuid:import_id>/", views.import_job, name="import_job"),
    path("endorsed/", views.endorsed, name="endorsed"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/programmes", views.save_programme, name="save_programme"),
    path("coverage/regions", views.region_target, name="region_target"),
]

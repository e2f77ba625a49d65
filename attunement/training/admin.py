from django.contrib import admin

from attunement.training.models import Course, Provider, Session


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin[Provider]):
    list_display = ["name", "association"]
    list_select_related = ["association"]
    raw_id_fields = ["trainers"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin[Course]):
    list_display = ["title", "association", "provider", "status"]
    list_select_related = ["association", "provider"]
    readonly_fields = ["status", "decided_by", "decided_at"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin[Session]):
    list_display = ["course", "association", "starts_on", "capacity", "finalised_at"]
    list_select_related = ["course", "association"]
    raw_id_fields = ["trainer", "finalised_by"]
    readonly_fields = ["finalised_at", "finalised_by"]

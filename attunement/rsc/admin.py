from django.contrib import admin

from attunement.rsc.models import Group, Programme, ProviderProfile, RSCPolicy


@admin.register(ProviderProfile)
class ProviderProfileAdmin(admin.ModelAdmin[ProviderProfile]):
    list_display = ["person", "association", "accepting_new", "vetted"]
    list_select_related = ["person", "association"]
    raw_id_fields = ["person", "vetted_by"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin[Group]):
    list_display = ["name", "association", "starts", "ends"]
    list_select_related = ["association"]
    raw_id_fields = ["provider", "programme"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin[Programme]):
    list_display = ["name", "association", "sector"]


@admin.register(RSCPolicy)
class RSCPolicyAdmin(admin.ModelAdmin[RSCPolicy]):
    list_display = ["association", "max_session_hours", "max_hours_per_day", "max_provider_hours_per_day"]
    list_select_related = ["association"]

"""The operator's view of background tasks: django-tasks-db's task results with a "run again"
action for failed ones (the error and traceback are on each result's page)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from attunement.operations import actions

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    actions = ["run_again"]

    @admin.action(description=_("Run again (failed tasks)"))
    def run_again(self, request: HttpRequest, queryset: QuerySet[DBTaskResult]) -> None:
        again = actions.run_again(actor=request.user, results=list(queryset))  # type: ignore[arg-type]
        self.message_user(
            request,
            ngettext("%(count)s task queued again.", "%(count)s tasks queued again.", again) % {"count": again},
            messages.SUCCESS,
        )

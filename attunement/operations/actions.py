"""The operator's writes: running failed background tasks again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django_tasks_db.models import DBTaskResult

from attunement.audit.actions import record

if TYPE_CHECKING:
    from attunement.people.models import User


def run_again(*, actor: User, results: Sequence[DBTaskResult]) -> int:
    """Enqueue each failed task again with the same arguments (audited); returns how many."""
    again = 0
    for result in results:
        if result.status != "FAILED":
            continue
        arguments = result.args_kwargs
        result.task.enqueue(*arguments.get("args", []), **arguments.get("kwargs", {}))
        record(actor=actor, verb="tasks.run_again", data={"task": result.task_path, "failed_result": str(result.id)})
        again += 1
    return again

"""A roster checked in the background (issue 17.1, RFC 7240 Prefer: respond-async): 202 at
once with where the answer will be, the same answer as a direct check once a worker has run,
kept a day for the organisation that sent it only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
import pytest
from django.test import Client
from django.utils import timezone

from attunement.api import actions
from attunement.api.models import RosterCheck, RosterStatus
from attunement.lib.testing import run_tasks

URL = "/api/v1/roster-checks"


def post_async(api: Client, rows: list[Any], prefer: str = "respond-async") -> Any:
    return api.post(URL, orjson.dumps({"rows": rows}), content_type="application/json", headers={"Prefer": prefer})


def test_a_roster_sent_async_is_answered_later_with_the_same_answer(api: Client, holder: Any, riverbend: Any) -> None:
    dana = holder("Dana Cole", association=riverbend)
    rows = [{"ref": "A-1", "code": dana.public_code}, {"ref": "A-2", "name": "Nobody Known"}, {"ref": "A-3"}]
    queued = post_async(api, rows, prefer="wait=10, Respond-Async")
    assert queued.status_code == 202
    assert queued["Preference-Applied"] == "respond-async"
    assert queued["Cache-Control"] == "private, no-store"
    body = queued.json()
    assert (body["status"], body["rows"]) == ("queued", 3)
    assert queued["Location"] == body["url"]
    assert body["url"].endswith(f"/api/v1/roster-checks/{body['id']}")
    path = "/api/v1/roster-checks/" + body["id"]
    waiting = api.get(path)
    assert waiting.status_code == 200
    assert waiting.json() == {"id": body["id"], "status": "queued", "rows": 3}
    assert waiting["Retry-After"] == "2"
    assert run_tasks() == 1
    done = api.get(path)
    assert done.status_code == 200
    assert "Retry-After" not in done
    direct = api.post(URL, orjson.dumps({"rows": rows}), content_type="application/json").json()
    assert done.json() == {"id": body["id"], "status": "done", **direct}
    assert RosterCheck.objects.get().roster == {}  # the rows sent are not kept once checked


def test_another_organisations_or_an_expired_check_is_a_404(
    api: Client, holder: Any, riverbend: Any, payer: Any
) -> None:
    from attunement.api.models import ApiClient

    body = post_async(api, [{"ref": "A-1", "name": "Anyone"}]).json()
    path = "/api/v1/roster-checks/" + body["id"]
    other = ApiClient.objects.create(association=riverbend, name="Employer", contact_email="e@example.org")
    stranger = Client(headers={"Authorization": f"Bearer {actions.issue_key(actor=None, client=other).token}"})
    assert stranger.get(path).status_code == 404
    assert api.get("/api/v1/roster-checks/not-an-id").status_code == 404
    RosterCheck.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get(path).status_code == 404
    # The next check's task deletes what has expired.
    post_async(api, [{"ref": "B-1", "name": "Anyone"}])
    run_tasks()
    assert list(RosterCheck.objects.values_list("status", flat=True)) == [RosterStatus.DONE]


def test_a_second_task_for_one_roster_does_nothing(api: Client, riverbend: Any) -> None:
    body = post_async(api, [{"ref": "A-1", "name": "Anyone"}]).json()
    check = RosterCheck.objects.get(public_id=body["id"])
    actions.check_roster.enqueue(check.pk)
    assert run_tasks() == 2
    check.refresh_from_db()
    assert check.status == RosterStatus.DONE
    assert check.answer is not None
    assert check.answer["rows"] == 1


@pytest.mark.parametrize("prefer", ["", "return=minimal", "respond-asynchronously"])
def test_without_the_preference_the_answer_is_direct(api: Client, prefer: str) -> None:
    response = post_async(api, [{"ref": "A-1", "name": "Anyone"}], prefer=prefer)
    assert response.status_code == 200
    assert response.json()["rows"] == 1
    assert not RosterCheck.objects.exists()

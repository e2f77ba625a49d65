"""The hand-prepared lookup answers exactly what the plain ORM query answers (issue 15.8): every
status, emerging or not, without an end date, with and without a preferred name, another
association's code and an unknown one, in both languages; on PostgreSQL through the prepared
statement."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from django.utils import translation

from attunement.api import lookup
from attunement.api.selectors import credential_by_code_orm
from attunement.endorsement.models import Credential, CredentialStatus


@pytest.mark.django_db
def test_the_prepared_lookup_answers_as_the_orm_does(holder: Any, riverbend: Any, cascade: Any) -> None:
    made = []
    for n, status in enumerate(CredentialStatus.values):
        made.append(holder(f"Holder {n} Núñez", association=riverbend, status=status, category="IMHS" if n % 2 else "IFS",
                           preferred_name="Pref" if n % 3 == 0 else ""))  # fmt: skip
    Credential.objects.filter(pk=made[0].pk).update(valid_through=None, emerging=True)
    made.append(holder("Other Place", association=cascade))
    codes = [c.public_code for c in Credential.objects.order_by("pk")] + ["NOPE234567"]
    asked = 0
    for language in ("en", "es"):
        with translation.override(language):
            for association in (riverbend, cascade):
                for code in codes:
                    # As JSON, the way payers get it: 1 and true, say, differ there.
                    prepared = orjson.dumps(lookup.credential_by_code(association.pk, code))
                    assert prepared == orjson.dumps(credential_by_code_orm(association.pk, code)), code
                    asked += 1
    assert asked == 2 * 2 * len(codes)
    found = [lookup.credential_by_code(riverbend.pk, c.public_code) for c in made[:-1]]
    assert all(answer is not None for answer in found)  # not all None == None
    assert lookup.credential_by_code(riverbend.pk, made[-1].public_code) is None  # another association's

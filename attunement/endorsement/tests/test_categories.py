"""The categories are data: one registry, its checks, and the names on the pages."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from attunement.endorsement.rules import categories
from attunement.endorsement.rules.categories import REGISTRY_FILE, CategoryError, read_registry
from attunement.lib.categories import NAMES, category_choices, category_name, validate_category

DOC = json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))


def test_the_registry_lists_the_fifteen_categories_in_page_order() -> None:
    assert categories.CODES == (
        "IFA", "IFS", "IFRS", "IMHS", "IMHM-C", "IMHM-P", "IMHM-RF",
        "ECFA", "ECFS", "ECFRS", "ECMHS", "ECMHM-C", "ECMHM-P", "ECMHM-RF", "ERS",
    )  # fmt: skip
    assert all(set(c.names) == {"en", "es"} for c in categories.REGISTRY)


def test_provider_rank_and_review_level_come_from_the_data() -> None:
    assert categories.by_provider_rank(["IFA", "ERS", "IMHM-C", "IMHS"]) == ["IMHM-C", "IMHS", "ERS", "IFA"]
    assert categories.provider_rank("XYZ") > max(c.provider_rank for c in categories.REGISTRY)
    assert [categories.review_level(c) for c in ("IFA", "ECFS", "ERS", "IMHS", "ECMHM-RF")] == [1, 2, 3, 4, 5]
    assert categories.review_level("XYZ") is None


def test_a_new_category_is_a_change_to_the_data() -> None:
    doc = copy.deepcopy(DOC)
    doc["categories"].append(
        {"code": "IMHT", "name": {"en": "Infant Mental Health Trainer (IMHT)"}, "track": "infant",
         "review_level": 4, "provider_rank": 99}
    )  # fmt: skip
    read = read_registry(doc)
    assert read[-1].code == "IMHT"
    assert read[-1].name("es") == "Infant Mental Health Trainer (IMHT)"  # no Spanish name yet: English


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="other"), "format: expected"),
        (lambda d: d["categories"][2].update(track="teen"), "categories[2].track: expected one of"),
        (lambda d: d["categories"][0]["name"].pop("en"), "categories[0].name.en: expected the English name"),
        (lambda d: d["categories"][0]["name"].update(fr="Associé"), "categories[0].name.fr: unknown language"),
        (lambda d: d["categories"][1].update(code="IFA"), "categories[1].code: IFA is listed twice"),
        (lambda d: d["categories"][3].update(provider_rank=d["categories"][0]["provider_rank"]),
         "categories[3].provider_rank: "),
        (lambda d: d["categories"][4].update(review_level=True), "categories[4].review_level: expected a whole number"),
        (lambda d: d["categories"][5].update(colour="red"), "categories[5]: unknown fields ['colour']"),
    ],
)  # fmt: skip
def test_a_bad_registry_is_refused_naming_the_path(change: Any, message: str) -> None:
    doc = copy.deepcopy(DOC)
    change(doc)
    with pytest.raises(CategoryError) as refused:
        read_registry(doc)
    assert str(refused.value).startswith(message)


def test_names_follow_the_language_of_the_request() -> None:
    with translation.override("es"):
        assert category_name("IFA") == "Asociado/a en Familias con Infantes (IFA)"
        assert dict(category_choices())["ERS"].startswith("Complemento")
        assert NAMES["IMHS"] == "Especialista en Salud Mental Infantil (IMHS)"
    with translation.override("en"):
        assert category_name("IFA") == "Infant Family Associate (IFA)"
    assert category_name("XYZ") == "XYZ"
    with pytest.raises(KeyError):
        NAMES["XYZ"]


def test_a_field_that_stores_a_category_refuses_an_unknown_code() -> None:
    validate_category("IMHS")
    with pytest.raises(ValidationError):
        validate_category("IMHX")

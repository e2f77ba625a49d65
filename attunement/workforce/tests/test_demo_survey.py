"""The demo's synthetic survey is a valid attunement.checkin/1 file shaped like the seed survey."""

from __future__ import annotations

import random

from attunement.demo.survey import survey
from attunement.workforce.checkin import parse_text
from attunement.workforce.indicators import compute


def test_the_demo_survey_parses_and_looks_like_the_washington_survey() -> None:
    text = survey(random.Random(7), 2019, 875, trained=0.58, endorsed=0.045, rs=0.708)
    figures = compute(parse_text(text), 2019)
    assert figures["respondents"] == 875
    assert 50 < figures["pct_specialized_training_foundations"] < 66
    assert 2 < figures["pct_endorsed"] < 8
    assert 64 < figures["pct_received_rs"] < 77
    assert figures["pct_people_of_color"] < 20
    assert max(figures["barriers"], key=lambda barrier: figures["barriers"][barrier] or 0) == "cost"

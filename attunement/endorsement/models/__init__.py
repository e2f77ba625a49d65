"""The endorsement app's models, one module per part (Django finds them here; the app's code
imports them from this package)."""

from attunement.endorsement.models.applications import (
    LETTER_FIELD_LABELS,
    OPEN_STATES,
    Application,
    Assignment,
    Clarification,
    Decision,
    LetterTemplate,
    Outcome,
    ReviewerProfile,
    State,
)
from attunement.endorsement.models.credentials import Credential, CredentialStatus, credential_code
from attunement.endorsement.models.exam import ExamSitting, ExamWindow, Part2Score, anonymous_code
from attunement.endorsement.models.renewals import DailyRun, Reminder, Renewal, RenewalState
from attunement.endorsement.models.rulesets import RuleSetVersion

__all__ = [
    "LETTER_FIELD_LABELS",
    "OPEN_STATES",
    "Application",
    "Assignment",
    "Clarification",
    "Credential",
    "CredentialStatus",
    "DailyRun",
    "Decision",
    "ExamSitting",
    "ExamWindow",
    "LetterTemplate",
    "Outcome",
    "Part2Score",
    "Reminder",
    "Renewal",
    "RenewalState",
    "ReviewerProfile",
    "RuleSetVersion",
    "State",
    "anonymous_code",
    "credential_code",
]

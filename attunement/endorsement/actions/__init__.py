"""The application path and keeping Endorsement, one module per stage of the state machine
(conventions: every state change is one function: audited, mailed to the applicant in their
language, on their timeline). Callers import from the stage's module; nothing is re-exported
here."""

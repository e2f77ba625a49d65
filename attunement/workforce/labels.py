"""Readable, translatable names for the check-in codes and the indicators."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ROLE_LABELS: dict[str, Promise] = {
    "clinician": _("Clinician"),
    "home_visitor": _("Home visitor"),
    "early_educator": _("Early educator"),
    "early_intervention": _("Early intervention"),
    "supervisor": _("Supervisor"),
    "consultant": _("Consultant"),
    "pediatric": _("Paediatric care"),
    "child_welfare": _("Child welfare"),
    "administrator": _("Administrator"),
    "peer_support": _("Peer support"),
    "other": _("Other"),
}
SERVICE_LEVEL_LABELS: dict[str, Promise] = {
    "promotion": _("Promotion"),
    "prevention": _("Prevention"),
    "intervention": _("Intervention / treatment"),
    "leadership": _("Leadership"),
}
SECTOR_LABELS: dict[str, Promise] = {
    "mental_health": _("Mental health"),
    "early_care_education": _("Early care and education"),
    "early_intervention": _("Early intervention (Part C)"),
    "home_visiting": _("Home visiting"),
    "health_care": _("Health care"),
    "child_welfare": _("Child welfare"),
    "higher_education": _("Higher education"),
    "government": _("Government"),
    "other": _("Other"),
}
RACE_LABELS: dict[str, Promise] = {
    "american_indian_alaska_native": _("American Indian or Alaska Native"),
    "asian": _("Asian"),
    "black": _("Black or African American"),
    "hispanic_latino": _("Hispanic or Latino/a/e"),
    "middle_eastern_north_african": _("Middle Eastern or North African"),
    "native_hawaiian_pacific_islander": _("Native Hawaiian or Pacific Islander"),
    "white": _("White"),
    "other": _("Another race or ethnicity"),
    "prefer_not_to_say": _("Prefer not to say"),
}
EBT_LABELS: dict[str, Promise] = {
    "none": _("None"),
    "cpp": _("Child-Parent Psychotherapy (CPP)"),
    "pcit": _("Parent-Child Interaction Therapy (PCIT)"),
    "abc": _("Attachment and Biobehavioral Catch-up (ABC)"),
    "circle_of_security": _("Circle of Security"),
    "pfr": _("Promoting First Relationships (PFR)"),
    "other": _("Another model"),
}
BARRIER_LABELS: dict[str, Promise] = {
    "cost": _("Cost"),
    "location_travel": _("Location or travel"),
    "lost_billable_time": _("Lost billable time"),
    "not_offered": _("Not offered"),
    "time": _("Time"),
    "language": _("Language"),
    "prerequisites": _("Prerequisites"),
    "other": _("Other"),
}
TOPIC_LABELS: dict[str, Promise] = {
    "assessment": _("Assessment"),
    "attachment": _("Attachment"),
    "iecmh_fundamentals": _("IECMH fundamentals"),
    "high_risk_families": _("High-risk families"),
    "neurodevelopmental": _("Neurodevelopmental differences"),
    "dc0_5_diagnosis": _("DC:0-5 diagnosis"),
    "ebp_promising_practices": _("Evidence-based and promising practices"),
    "child_development": _("Child development"),
    "culturally_diverse_families": _("Culturally diverse families"),
    "reflective_practice": _("Reflective practice"),
    "other": _("Other"),
}
HEADLINE_LABELS: dict[str, Promise] = {
    "respondents": _("Respondents"),
    "pct_specialized_training_foundations": _("Specialised training in an IECMH foundation area (%)"),
    "pct_no_ebt_training": _("Trained in no evidence-based treatment model (%)"),
    "pct_endorsed": _("Endorsed (%)"),
    "pct_received_rs": _("Have received reflective supervision (%)"),
    "pct_people_of_color": _("People of colour (%)"),
}

WORKED_BEYOND_PAID = _("Worked beyond paid hours (%)")
BARRIERS_CAPTION = _("Barriers to professional development (% of those who answered)")

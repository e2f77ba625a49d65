"""The training transcript as a PDF (fpdf2 with the vendored DejaVu font, any Latin,
Greek or Cyrillic name prints)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from attunement.training.selectors import Transcript, num

FONTS = Path(settings.PACKAGE_DIR) / "static" / "vendor" / "dejavu"
logging.getLogger("fontTools").setLevel(logging.WARNING)


def render_transcript(person: Any, data: Transcript) -> bytes:
    pdf = FPDF(unit="mm", format="letter")
    pdf.set_title(_("Training transcript"))
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 10, _("Training transcript"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(0, 7, person.legal_name or person.display_name, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, _("Printed %(day)s") % {"day": timezone.localdate().isoformat()}, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    totals = _(
        "Total %(total)s hours: %(verified)s verified, %(self)s self-reported; DEI %(dei)s; about RS/C %(rsc)s."
    ) % {
        "total": num(data.total),
        "verified": num(data.verified),
        "self": num(data.self_reported),
        "dei": num(data.dei),
        "rsc": num(data.about_rsc),
    }
    pdf.multi_cell(0, 6, totals, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    with pdf.table(col_widths=(22, 80, 45, 15, 30), text_align="LEFT") as table:
        header = table.row()
        for label in (_("Date"), _("Title"), _("Offered by"), _("Hours"), _("Verification")):
            header.cell(label)
        for entry in data.entries:
            row = table.row()
            row.cell(entry.date.isoformat())
            row.cell(entry.title)
            row.cell(entry.provider)
            row.cell(num(entry.hours))
            row.cell(str(entry.get_verification_display()))
    return bytes(pdf.output())


def render_certificate(registration: Any, verification_url: str) -> bytes:
    """An attendance certificate: who, what, when, how many hours, and the code to check it."""
    session = registration.session
    course = session.course
    pdf = FPDF(orientation="landscape", unit="mm", format="letter")
    pdf.set_title(_("Certificate of attendance"))
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    width = pdf.w - 40
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_xy(20, 30)
    pdf.set_font("DejaVu", "", 14)
    pdf.multi_cell(width, 8, session.association.name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(20)
    pdf.set_font("DejaVu", "B", 26)
    pdf.multi_cell(width, 14, _("Certificate of attendance"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_x(20)
    pdf.set_font("DejaVu", "B", 20)
    person = registration.person
    pdf.multi_cell(width, 12, person.legal_name or person.display_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(20)
    pdf.set_font("DejaVu", "", 13)
    days = session.starts_on.isoformat()
    if session.ends_on != session.starts_on:
        days += " – " + session.ends_on.isoformat()
    line = _("attended “%(title)s” offered by %(provider)s (%(days)s): %(hours)s clock hours.") % {
        "title": course.title,
        "provider": course.provider.name,
        "days": days,
        "hours": num(registration.credited_hours),
    }
    pdf.multi_cell(width, 8, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_x(20)
    pdf.set_font("DejaVu", "", 10)
    check = _("Verification code %(code)s: %(url)s") % {"code": registration.certificate_code, "url": verification_url}
    pdf.multi_cell(width, 6, check, align="C")
    return bytes(pdf.output())

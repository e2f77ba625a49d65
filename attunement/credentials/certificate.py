"""The certificate of a credential as a PDF (fpdf2), with a QR code to its verification page.

Names can be in any script DejaVu Sans covers (Latin, Greek, Cyrillic, Armenian, Georgian,
Hebrew and more): the font is vendored under ``static/vendor/dejavu/``. Scripts it lacks (for
example Chinese, Japanese, Korean) would print as empty boxes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import qrcode
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from fpdf import FPDF

FONTS = Path(settings.PACKAGE_DIR) / "static" / "vendor" / "dejavu"
# fpdf2 subsets the font with fontTools, which logs every step at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)


@dataclass(frozen=True)
class CertificateFacts:
    holder_name: str
    category: str
    emerging: bool
    association: str
    since: date
    valid_through: date | None
    code: str
    verification_url: str


def render_certificate(facts: CertificateFacts, *, compress: bool = True) -> bytes:
    pdf = FPDF(orientation="landscape", unit="mm", format="letter")
    pdf.set_compression(compress)
    pdf.set_title(_("Certificate of Endorsement®"))
    pdf.set_author(facts.association)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    width = pdf.w - 40
    pdf.set_draw_color(60, 80, 110)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_xy(20, 28)
    pdf.set_font("DejaVu", "", 14)
    pdf.multi_cell(width, 8, facts.association, align="C")
    pdf.set_x(20)
    pdf.set_font("DejaVu", "B", 28)
    pdf.multi_cell(width, 16, _("Certificate of Endorsement®"), align="C")
    pdf.ln(4)
    pdf.set_x(20)
    pdf.set_font("DejaVu", "", 13)
    pdf.multi_cell(width, 8, _("This certifies that"), align="C")
    pdf.set_x(20)
    pdf.set_font("DejaVu", "B", 24)
    pdf.multi_cell(width, 14, facts.holder_name, align="C")
    pdf.set_x(20)
    pdf.set_font("DejaVu", "", 13)
    pdf.multi_cell(width, 8, _("holds the Endorsement® in infant and early childhood mental health as"), align="C")
    pdf.set_x(20)
    pdf.set_font("DejaVu", "B", 16)
    category = facts.category + (f" ({_('emerging')})" if facts.emerging else "")
    pdf.multi_cell(width, 10, category, align="C")
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 12)
    lines = [
        _("Endorsed since: %(date)s") % {"date": formats.date_format(facts.since, "DATE_FORMAT")},
        _("Valid through: %(date)s")
        % {"date": formats.date_format(facts.valid_through, "DATE_FORMAT") if facts.valid_through else "—"},
        _("Credential code: %(code)s") % {"code": facts.code},
    ]
    top = pdf.get_y()
    for line in lines:
        pdf.set_x(30)
        pdf.cell(140, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(30)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(
        140, 5, _("Check that it is current: scan the code or visit %(url)s") % {"url": facts.verification_url}
    )
    image = qrcode.make(facts.verification_url, box_size=8, border=2).get_image()
    pdf.image(image, x=pdf.w - 20 - 48, y=top - 4, w=44, h=44, alt_text=_("QR code of the verification page"))
    return bytes(pdf.output())

"""What every PDF the portal issues shares: A4, the shipped DejaVu Sans (Vietnamese
diacritics), margins, the heading of an official paper, and the two-column label/value
table."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONTS = Path(__file__).resolve().parent.parent / "fonts"
CREATOR = "Cổng Dịch vụ công (bản thử nghiệm)"
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def new_document(title: str) -> FPDF:
    """An A4 document with its first page open and DejaVu Sans registered as "DejaVu"."""
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_lang("vi")
    pdf.set_creator(CREATOR)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(18, 16, 18)
    pdf.add_page()
    return pdf


def label_table(pdf: FPDF, rows) -> None:
    """Label → value rows, horizontal rules only."""
    pdf.set_font("DejaVu", "", 10)
    with pdf.table(
        rows,
        col_widths=(38, 62),
        first_row_as_headings=False,
        borders_layout="HORIZONTAL_LINES",
        text_align="LEFT",
        line_height=6,
        padding=(1.5, 1),
    ):
        pass


def heading(
    pdf: FPDF,
    office_name: str,
    title: str,
    *,
    number: str = "",
    place_date: str = "",
    subtitle: str = "",
) -> None:
    """The top of an official paper: the issuing office (and the paper's number) on the
    left, the national motto (and the place and date) on the right, then the title."""
    half = pdf.epw / 2
    top = pdf.get_y()
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(half - 4, 5, office_name.upper(), align="C", new_x=XPos.LMARGIN)
    if number:
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(half - 4, 5, number, align="C", new_x=XPos.LMARGIN)
    left_bottom = pdf.get_y()
    pdf.set_y(top)
    lines = [("B", line) for line in MOTTO] + ([("", place_date)] if place_date else [])
    for style, line in lines:
        pdf.set_font("DejaVu", style, 10)
        pdf.set_x(pdf.l_margin + half)
        pdf.multi_cell(half, 5, line, align="C")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 8)
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 7, title.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if subtitle:
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 5, subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)

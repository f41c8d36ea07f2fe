"""What every PDF the portal issues shares: A4, the shipped DejaVu Sans (Vietnamese
diacritics), margins, and the two-column label/value table."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).resolve().parent.parent / "fonts"
CREATOR = "Cổng Dịch vụ công (bản thử nghiệm)"


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

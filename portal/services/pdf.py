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


BOTTOM_MARGIN = 16  # mm


class OfficialPaper(FPDF):
    """An FPDF that keeps `first_page_reserve` mm free at the bottom of the first page (for
    the signature block and the QR code, which must be on the first page) and numbers the
    pages ("Trang 1/2") when `numbered`."""

    def __init__(self, *, first_page_reserve: float = 0, numbered: bool = False) -> None:
        super().__init__(format="A4")
        self.first_page_reserve = first_page_reserve
        self.numbered = numbered

    def header(self) -> None:
        # From the second page on, the whole page is for text.
        self.set_auto_page_break(True, BOTTOM_MARGIN if self.page > 1 else self.first_margin)

    @property
    def first_margin(self) -> float:
        return BOTTOM_MARGIN + self.first_page_reserve

    def footer(self) -> None:
        if not self.numbered:
            return
        self.set_y(-11)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="C")


def new_document(title: str, *, first_page_reserve: float = 0, numbered: bool = False) -> FPDF:
    """An A4 document with its first page open and DejaVu Sans registered as "DejaVu";
    `first_page_reserve` mm at the bottom of the first page stay free (see OfficialPaper)."""
    pdf = OfficialPaper(first_page_reserve=first_page_reserve, numbered=numbered)
    pdf.set_title(title)
    pdf.set_lang("vi")
    pdf.set_creator(CREATOR)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, pdf.first_margin)
    pdf.add_page()
    return pdf


def section_title(pdf: FPDF, title: str) -> None:
    """A section's heading inside a document ("Chồng", "Tình trạng án tích")."""
    pdf.ln(1.5)
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(0, 5.5, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def paragraph(pdf: FPDF, text: str) -> None:
    pdf.set_font("DejaVu", "", 9.5)
    pdf.multi_cell(0, 5, text, align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def label_table(pdf: FPDF, rows, *, compact: bool = False) -> None:
    """Label → value rows, horizontal rules only; `compact`: tighter lines (a result
    document keeps its first page for the body and the signature)."""
    pdf.set_font("DejaVu", "", 9.5 if compact else 10)
    with pdf.table(
        rows,
        col_widths=(38, 62),
        first_row_as_headings=False,
        borders_layout="HORIZONTAL_LINES",
        text_align="LEFT",
        line_height=4.6 if compact else 6,
        padding=(0.9, 1) if compact else (1.5, 1),
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

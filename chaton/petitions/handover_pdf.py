"""The handover dossier as a PDF (fpdf2, pure Python; fonts shipped in petitions/fonts, nothing
fetched). `lines` come from the caller already in the reader's language: this module lays
them out. The map is the SVG of territory/maps.py, drawn as a picture by resvg."""

import io
from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).parent / "fonts"


class Dossier(FPDF):
    def __init__(self, footer_text):
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")


def build(meta, title, blocks, map_svg=None, map_title=""):
    """A PDF (bytes). meta: {"title", "author", "subject", "footer"}; blocks: [("h", text),
    ("p", text), ("kv", [(label, value)]), ("table", [header], [[cells]]), ("list", [text])]."""
    pdf = Dossier(meta["footer"])
    pdf.set_title(meta["title"])
    pdf.set_author(meta["author"])
    pdf.set_subject(meta["subject"])
    pdf.set_creator("Chaton")
    pdf.set_lang(meta.get("lang", "fr"))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for block in blocks:
        kind = block[0]
        if kind == "h":
            pdf.ln(3)
            pdf.set_font("DejaVu", "B", 13)
            pdf.multi_cell(0, 7, block[1], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif kind == "p":
            pdf.set_font("DejaVu", "", 10)
            pdf.multi_cell(0, 5.5, block[1], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif kind == "kv":
            pdf.set_font("DejaVu", "", 10)
            with pdf.table(col_widths=(45, 110), first_row_as_headings=False,
                           line_height=6) as table:
                for label, value in block[1]:
                    row = table.row()
                    row.cell(label)
                    row.cell(value)
            pdf.ln(2)
        elif kind == "table":
            header, rows = block[1], block[2]
            pdf.set_font("DejaVu", "", 9)
            with pdf.table(line_height=5.5, text_align=("LEFT",) + ("RIGHT",) * (len(header) - 1)
                           ) as table:
                table.row(header)
                for cells in rows:
                    table.row([str(c) for c in cells])
            pdf.ln(2)
        elif kind == "list":
            pdf.set_font("DejaVu", "", 9)
            pdf.multi_cell(0, 5, " · ".join(block[1]) or "—", new_x="LMARGIN", new_y="NEXT")
        elif kind == "map" and map_svg:
            import resvg_py

            png = bytes(resvg_py.svg_to_bytes(svg_string=map_svg, width=1400))
            pdf.ln(2)
            pdf.image(io.BytesIO(png), w=pdf.epw, alt_text=map_title)
    return bytes(pdf.output())

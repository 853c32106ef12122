"""Real PDF, DOCX and HTML documents made at run time from a text's lines (no binary fixture is stored).

The PDF is typeset as a government document is: A4, a centred title, body paragraphs with a two-character
first-line indent wrapped to the column by reportlab (its built-in CID font STSong-Light, so the text layer
is real Chinese), and a page number "- n -" at the foot of each page.
"""

from __future__ import annotations

import io
from html import escape as html_escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

NAV = ["首页", "机构概况", "政务公开", "政策文件", "办事服务", "互动交流"]
FOOTER = ["主办单位: 某市科学技术局 地址: 某市某区某路1号 电话: 028-00000000",
          "网站标识码: 0000000000 ICP备00000000号", "打印本页 关闭窗口"]


def make_pdf(lines: list[str], path: Path) -> Path:
    """A typeset PDF whose first line is the centred title and each further line a paragraph."""
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=12, leading=20, firstLineIndent=24,
                          wordWrap="CJK", alignment=TA_JUSTIFY)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=26, firstLineIndent=0, alignment=TA_CENTER,
                           spaceAfter=12)

    def page_number(canvas, document):
        canvas.setFont("STSong-Light", 10)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"- {document.page} -")

    lines = [line for line in lines if line.strip()]
    story = [Paragraph(xml_escape(lines[0]), title)] + [Paragraph(xml_escape(line), body) for line in lines[1:]]
    document = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm,
                                 topMargin=37 * mm, bottomMargin=35 * mm)
    document.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return path


def make_scanned_pdf(path: Path) -> Path:
    """A PDF whose only page is an image (a scan): no text layer."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    scan = io.BytesIO()
    Image.new("L", (200, 280), color=200).save(scan, format="PNG")
    page = canvas.Canvas(str(path), pagesize=A4)
    page.drawImage(ImageReader(io.BytesIO(scan.getvalue())), 50, 50, width=A4[0] - 100, height=A4[1] - 100)
    page.save()
    return path


def make_encrypted_pdf(lines: list[str], path: Path, password: str = "secret") -> Path:
    """A PDF that opens only with a password (written by pypdf)."""
    from pypdf import PdfWriter

    plain = make_pdf(lines, path.with_name(path.stem + "_plain.pdf"))
    writer = PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password=password)
    writer.write(str(path))
    plain.unlink()
    return path


def make_docx(lines: list[str], path: Path, table: list[list[str]] | None = None) -> Path:
    """A Word document: the first line as a heading, the others as paragraphs, then an optional table."""
    import docx

    document = docx.Document()
    lines = [line for line in lines if line.strip()]
    document.add_heading(lines[0], level=1)
    for line in lines[1:]:
        document.add_paragraph(line)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table):
            for cell, value in zip(row.cells, values):
                cell.text = value
    document.save(str(path))
    return path


def make_html(lines: list[str], path: Path, encoding: str = "utf-8") -> Path:
    """A government web page: navigation, breadcrumbs and a footer around the article (title + paragraphs)."""
    lines = [line for line in lines if line.strip()]
    title = html_escape(lines[0])
    nav = "".join(f'<li><a href="/{i}">{name}</a></li>' for i, name in enumerate(NAV))
    paragraphs = "\n".join(f"<p>{html_escape(line)}</p>" for line in lines[1:])
    footer = "".join(f"<p>{html_escape(line)}</p>" for line in FOOTER)
    page = f"""<!DOCTYPE html>
<html><head><meta charset="{encoding}"><title>{title}_某市科学技术局</title></head>
<body><div class="header"><ul class="nav">{nav}</ul></div>
<div class="crumb">当前位置: <a href="/">首页</a> &gt; <a href="/3">政策文件</a> &gt; 正文</div>
<div class="article"><h1>{title}</h1>
<div class="info">发布时间: 2024-01-05 来源: 某市科学技术局 字号: 大 中 小</div>
{paragraphs}
</div>
<div class="footer">{footer}</div>
</body></html>"""
    path.write_bytes(page.encode(encoding))
    return path

"""Turn a document file into text, by its format, and say which reader did it.

One plain function per format, each taking the file's name and bytes and returning a `Text`:
`.txt` (decoded as `documents` decodes it), `.pdf` (its text layer, by pdfplumber, with the lines
that the page's width wrapped joined back into paragraphs), `.docx` (python-docx: paragraphs and
table cells in reading order), `.html`/`.htm` (the main text by trafilatura, without navigation and
footers; the page's title kept as the title and first line). Formats that cannot be read here
(`.doc`, `.wps`, `.ofd`, a scanned or password-protected PDF, a damaged file) are refused with a
`CorpusError` of one line that says what to do.

    >>> read_bytes("note.txt", "一是建设实验室。".encode("utf-8")).reader
    'text'
"""

from __future__ import annotations

import io
import re
import statistics
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from classify.ingest.documents import CorpusError, check_text, decode_upload, read_lines

MAX_TITLE_CHARS = 120
# Where a wrapped line ends: within this many characters of the text column's right edge. Measured on
# ragged (unjustified) Chinese lines, which stop up to 1.5 characters short of the edge.
WRAP_SLACK_CHARS = 2.0
MIN_LINES_FOR_EDGE = 8
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,4}\s*(?:页)?\s*(?:(?:/|共)\s*\d{1,4}\s*页?)?[-—–\s]*$")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc, .wps and other old Office files


@dataclass(frozen=True)
class Text:
    """A document's text, the reader that produced it, and the title the document gives itself."""

    text: str
    reader: str
    title: str = ""


def read_txt(name: str, data: bytes) -> Text:
    """Plain text in any encoding the corpus reader accepts."""
    text = decode_upload(name, data)
    return Text(text, "text", _first_line(text))


def read_pdf(name: str, data: bytes) -> Text:
    """A PDF's text layer in reading order, wrapped lines joined into their paragraphs."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            lines = [{**line, "page_width": page.width} for page in pdf.pages for line in page.extract_text_lines()]
            title = str((pdf.metadata or {}).get("Title") or "")
    except Exception as err:  # pdfminer raises many kinds of error on a damaged file; all mean "cannot read"
        cause = err.args[0] if err.args and isinstance(err.args[0], Exception) else err
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise CorpusError(f"{name}: encrypted PDF: it needs a password; save an unprotected copy") from None
        raise CorpusError(f"{name}: not a readable PDF ({_reason(cause)})") from None
    paragraphs = join_wrapped(lines)
    if not paragraphs:
        raise CorpusError(f"{name}: scanned PDF: no text to read; run OCR first")
    text = check_text(name, "\n".join(paragraphs))
    return Text(text, "pdfplumber", title if _is_real_title(title) else _first_line(text))


def join_wrapped(lines: list[dict]) -> list[str]:
    """Paragraphs from a PDF's lines (pdfplumber's `extract_text_lines`, pages in order): a line that reaches
    the text column's right edge was wrapped, so the next line continues it; page numbers are dropped.

    The corpus splits units at line breaks, so a sentence left cut where the page wrapped it would become
    two units; joining by layout rather than by punctuation keeps headings (no full stop) on their own.
    """
    lines = [line for line in lines if line["text"].strip() and not _PAGE_NUMBER.match(line["text"])]
    if not lines:
        return []
    if len(lines) >= MIN_LINES_FOR_EDGE:
        right = _percentile([line["x1"] for line in lines], 0.9)  # the column's edge: where most lines end
    else:  # too few lines to tell the edge by: take the right margin as wide as the left
        right = min(line.get("page_width", 0) for line in lines) - min(line["x0"] for line in lines)
    paragraphs: list[str] = []
    continues = False
    for line in lines:
        text = line["text"].strip()
        if continues:
            paragraphs[-1] = _glue(paragraphs[-1], text)
        else:
            paragraphs.append(text)
        size = statistics.median(char["size"] for char in line["chars"]) if line.get("chars") else 10.0
        continues = line["x1"] >= right - WRAP_SLACK_CHARS * size
    return paragraphs


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _glue(head: str, tail: str) -> str:
    # Chinese wraps between characters, Latin words wrap at a space the PDF does not keep.
    latin = head[-1:].isascii() and head[-1:].isalnum() and tail[:1].isascii() and tail[:1].isalnum()
    return head + (" " if latin else "") + tail


def read_docx(name: str, data: bytes) -> Text:
    """A Word document's paragraphs and table cells (each cell once, row by row) in reading order."""
    import docx
    from docx.table import Table

    if data.startswith(_OLE):
        raise CorpusError(f"{name}: an old Word (.doc) file renamed .docx; convert to .docx or .pdf")
    try:
        document = docx.Document(io.BytesIO(data))
        lines = []
        for block in document.iter_inner_content():
            lines.extend(_cells(block) if isinstance(block, Table) else [block.text])
        title = document.core_properties.title or ""
    except Exception as err:  # a damaged zip or XML part: python-docx raises whatever its parsers raise
        raise CorpusError(f"{name}: not a readable .docx ({_reason(err)})") from None
    text = check_text(name, "\n".join(line for line in lines if line.strip()))
    return Text(text, "python-docx", title.strip() or _first_line(text))


def _cells(table) -> Iterator[str]:
    seen = set()
    for row in table.rows:
        for cell in row.cells:
            if id(cell._tc) not in seen:  # a merged cell is returned once per grid column it spans
                seen.add(id(cell._tc))
                yield from (paragraph.text for paragraph in cell.paragraphs)


def read_html(name: str, data: bytes) -> Text:
    """A web page's main text (navigation, breadcrumbs and footers dropped), its title as the first line."""
    import trafilatura

    try:
        # favor_precision: on a short article the default falls back to the whole page, navigation included.
        body = trafilatura.extract(data, include_comments=False, include_tables=True, favor_precision=True) or ""
        metadata = trafilatura.extract_metadata(data)
    except Exception as err:  # lxml and trafilatura raise on pages they cannot parse
        raise CorpusError(f"{name}: not a readable web page ({_reason(err)})") from None
    title = (metadata.title if metadata and metadata.title else "").strip()
    if not body.strip():
        raise CorpusError(f"{name}: no main text found in the web page")
    # trafilatura leaves the headline out of the body; a corpus document starts with it.
    text = body if not title or body.lstrip().startswith(title) else f"{title}\n{body}"
    text = check_text(name, text)
    return Text(text, "trafilatura", title or _first_line(text))


def _refuse(kind: str) -> Callable[[str, bytes], Text]:
    def refuse(name: str, data: bytes) -> Text:
        raise CorpusError(f"{name}: {kind} files cannot be read; convert to .docx or .pdf")
    return refuse


READERS: dict[str, Callable[[str, bytes], Text]] = {
    ".txt": read_txt, ".pdf": read_pdf, ".docx": read_docx, ".html": read_html, ".htm": read_html}
REFUSED = {".doc": _refuse("old Word (.doc)"), ".wps": _refuse("WPS (.wps)"), ".ofd": _refuse("OFD (.ofd)")}
# What the Documents page and a folder without a manifest take: the readable formats and, so that they
# are named rather than silently passed over, the refused ones.
SUFFIXES = tuple(READERS) + tuple(REFUSED)


def read_bytes(name: str, data: bytes) -> Text:
    """The text of a file's bytes, read by its suffix's reader (any other suffix is read as plain text)."""
    suffix = Path(name).suffix.lower()
    return {**READERS, **REFUSED}.get(suffix, read_txt)(name, data)


def read_file(path: str | Path) -> Text:
    """The text of a file, read by its suffix's reader; CorpusError names the file and the problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CorpusError(f"{path}: cannot read ({err.strerror})") from None
    return read_bytes(str(path), data)


def document_lines(path: str | Path, encoding: str = "") -> Iterator[str]:
    """A document's lines: plain text streamed in bounded pieces (in `encoding` when given), other formats
    through their reader."""
    suffix = Path(path).suffix.lower()
    if suffix in READERS and suffix != ".txt" or suffix in REFUSED:
        yield from read_file(path).text.splitlines()
    else:
        yield from read_lines(Path(path), encoding)


def _first_line(text: str) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line[:MAX_TITLE_CHARS]


def _is_real_title(title: str) -> bool:
    # Word and WPS fill a PDF's title with the source file's name ("Microsoft Word - 通知.docx"), PDF
    # libraries with a placeholder.
    return bool(title.strip()) and not re.search(r"Microsoft Word|\.(?:docx?|wps)$|^\(?(?:untitled|anonymous)\)?$",
                                                 title.strip(), re.I)


def _reason(err: Exception) -> str:
    if isinstance(err, zipfile.BadZipFile):
        return "not a zip container"
    text = " ".join(str(err).split())
    return text[:120] if text else type(err).__name__

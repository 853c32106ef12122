"""pypdf against pdfplumber on PDFs typeset from the bundled corpus: the share of each .txt's units found,
in order, among the units of its PDF (`python bench/pdf_readers.py`; needs the test extra).

Four ways of reading: each library's plain text (lines as the page wrapped them), pypdf's text with wrapped
lines joined by a text-only rule (a line within 4 display columns of the longest ones continues on the next;
4 was the best of 2–8), and `classify.ingest.readers.read_pdf` (pdfplumber's lines joined by their position).
"""

from __future__ import annotations

import difflib
import re
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from made_files import make_pdf  # noqa: E402

from classify.ingest.documents import Document  # noqa: E402
from classify.ingest.readers import read_file  # noqa: E402
from classify.ingest.sentences import document_units  # noqa: E402

PAGE_NUMBER = re.compile(r"^[-—–\s]*\d+[-—–\s]*$")


def units(lines: list[str]) -> list[str]:
    return [unit.text for unit in document_units(Document("d", Path("d.txt"), "J"), lines)]


def found(expected: list[str], got: list[str]) -> float:
    blocks = difflib.SequenceMatcher(a=expected, b=got, autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks) / len(expected)


def pypdf_lines(path: Path) -> list[str]:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages).splitlines()


def pdfplumber_lines(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() for page in pdf.pages).splitlines()


def columns(line: str) -> float:
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in line)


def pypdf_joined(path: Path, slack: float = 4) -> list[str]:
    lines = [line.strip() for line in pypdf_lines(path) if line.strip() and not PAGE_NUMBER.match(line)]
    full = sorted(columns(line) for line in lines)[int(0.9 * len(lines))]
    joined, continues = [], False
    for line in lines:
        if continues:
            joined[-1] += line
        else:
            joined.append(line)
        continues = columns(line) >= full - slack
    return joined


WAYS = {"pypdf text": pypdf_lines, "pypdf text, joined by width": pypdf_joined,
        "pdfplumber text": pdfplumber_lines, "pdfplumber lines, joined by position (readers.read_pdf)":
        lambda path: read_file(path).text.splitlines()}


def main() -> None:
    texts = sorted((ROOT / "corpus").glob("*.txt"))
    totals = {way: [0.0, 0, 0.0] for way in WAYS}
    with tempfile.TemporaryDirectory() as folder:
        for text in texts:
            lines = text.read_text(encoding="utf-8").splitlines()
            expected = units(lines)
            pdf = make_pdf(lines, Path(folder) / f"{text.stem}.pdf")
            for way, read in WAYS.items():
                start = time.perf_counter()
                got = units(read(pdf))
                totals[way][2] += time.perf_counter() - start
                totals[way][0] += found(expected, got) * len(expected)
                totals[way][1] += len(expected)
    print(f"{len(texts)} documents, {totals[next(iter(WAYS))][1]} units in their .txt")
    for way, (hits, count, seconds) in totals.items():
        print(f"{way:58s} {hits / count:6.1%} of units identical   {seconds:5.2f} s")


if __name__ == "__main__":
    main()

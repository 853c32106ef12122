"""Split documents into the codebook's units, each with a stable id and a jurisdiction.

A unit is a sentence or clause: the text is cut at 。!?; and at line breaks.
Its id hashes the doc id and the unit's own normalised text, so a label
attached to it survives re-ingesting the document after other sentences changed.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from classify.ingest.documents import CorpusError, Document, read_manifest
from classify.ingest.normalize import normalize
from classify.ingest.readers import document_lines

log = logging.getLogger(__name__)

MAX_UNIT_CHARS = 400
BYTES_PER_UNIT = 160  # a unit averages ~55 characters of UTF-8 Chinese
_UNIT = re.compile(r"[^。!?;]+(?:[。!?;]+[”’」』)]*)?|[。!?;]+[”’」』)]*")
_TRAILING = "。!?; "
_SOFT_BREAKS = ",、:"
HEAD_LINES = 30

_BREADCRUMB = re.compile(r"^(?:当前位置|您的位置|你的位置|您现在的位置)\s*[:是]?\s*(.*)$")
_CHROME = [
    re.compile(r"-?\d+\s*°C\s*~\s*-?\d+\s*°C"),           # weather widget
    re.compile(r"字号\s*:"),                              # font-size toolbar
    re.compile(r"^(?:打印本页|关闭窗口|分享到|返回顶部)"),  # page buttons
    re.compile(r"^共有?\s*\d+\s*条评论"),                  # comment counter
    re.compile(r"^(?:上一篇|下一篇)\s*:"),                 # pager
]


@dataclass(frozen=True)
class Unit:
    unit_id: str
    doc_id: str
    jurisdiction: str
    position: int
    text: str


def split(line: str) -> list[str]:
    """Cut one normalised line into units, dropping the end punctuation, capping each unit's length.

    >>> split("一是建设实验室。二是设立基金;力争10亿元")
    ['一是建设实验室', '二是设立基金', '力争10亿元']
    """
    pieces = (piece.strip().rstrip(_TRAILING).strip() for piece in _UNIT.findall(line))
    return [part for piece in pieces if piece for part in _cap(piece)]


def _cap(text: str, limit: int = MAX_UNIT_CHARS) -> Iterator[str]:
    # A run-on "sentence" (a table flattened into one line, a page without stops)
    # is cut at the last comma before the limit, or at the limit when there is none.
    while len(text) > limit:
        cut = max(text.rfind(mark, 0, limit) for mark in _SOFT_BREAKS)
        cut = cut + 1 if cut > limit // 4 else limit
        head, text = text[:cut].rstrip(_SOFT_BREAKS + " "), text[cut:].lstrip()
        if head:
            yield head
    if text:
        yield text


def unit_id(doc_id: str, text: str) -> str:
    """Stable id of a unit: doc id plus a hash of its text (`document_units` adds -2, -3… to repeats)."""
    return f"{doc_id}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:10]}"


def drop_chrome(lines: Iterable[str]) -> Iterator[str]:
    """Drop web-page furniture: breadcrumbs and the site names they repeat, weather, toolbars, counters."""
    lines = iter(lines)
    head = [line for _, line in zip(range(HEAD_LINES), lines)]
    crumbs = set()
    for line in head:
        match = _BREADCRUMB.match(line)
        if match:
            crumbs.update(part.strip() for part in re.split(r"[/>»›]", match.group(1)) if part.strip())
    for line in head:
        if not (_BREADCRUMB.match(line) or line in crumbs or _is_chrome(line)):
            yield line
    for line in lines:
        if not _is_chrome(line):
            yield line


def _is_chrome(line: str) -> bool:
    return any(pattern.search(line) for pattern in _CHROME)


def document_units(document: Document, lines: Iterable[str] | None = None) -> Iterator[Unit]:
    """Units of one document in reading order, each assigned to its section's jurisdiction."""
    raw = document_lines(document.path, document.encoding) if lines is None else lines
    normalised = (normalize(line) for line in raw)
    seen: Counter[str] = Counter()
    section = None
    position = 0
    for line in drop_chrome(line for line in normalised if line):
        section = _section_of(document, section, line)
        jurisdiction = section.jurisdiction if section else document.jurisdiction
        for text in split(line):
            first = unit_id(document.doc_id, text)  # counting repeats by id keeps no texts in memory
            seen[first] += 1
            identity = first if seen[first] == 1 else f"{first}-{seen[first]}"
            yield Unit(identity, document.doc_id, jurisdiction, position, text)
            position += 1


def _section_of(document: Document, current, line: str):
    if current is not None and current.end and line.startswith(current.end):
        current = None
    for section in document.sections:
        if line.startswith(section.start):
            return section
    return current


def units_frame(units: Iterable[Unit]) -> pd.DataFrame:
    """Units as a frame with columns unit_id, doc_id, jurisdiction, position, text."""
    return pd.DataFrame([asdict(u) for u in units], columns=["unit_id", "doc_id", "jurisdiction", "position", "text"])


UNIT_COLUMNS = ["unit_id", "doc_id", "jurisdiction", "parent", "level", "date", "title", "position", "text"]


def corpus_chunks(folder: Path, size: int = 10_000, manifest: Path | None = None,
                  skipped: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """The units of a corpus folder with their documents' metadata, in frames of at most `size` rows
    (unreadable documents left out and listed in `skipped`)."""
    return document_chunks(read_manifest(folder, manifest), size, skipped)


def document_chunks(documents: Iterable[Document], size: int = 10_000,
                    skipped: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """The units of these documents with their metadata, in frames of at most `size` rows.

    A document that cannot be read (binary, undecodable) is left out with a warning, and its reason
    added to `skipped`: one bad document never stops the rest of a corpus.
    """
    rows = []
    for document in documents:
        places = {document.jurisdiction: (document.parent, document.level)}
        places.update({s.jurisdiction: (s.parent, s.level) for s in document.sections})
        try:
            units = list(document_units(document))
        except CorpusError as err:
            log.warning("skipped document %s: %s", document.doc_id, err)
            if skipped is not None:
                skipped.append(str(err))
            continue
        for unit in units:
            parent, level = places[unit.jurisdiction]
            rows.append((unit.unit_id, unit.doc_id, unit.jurisdiction, parent, level, document.date,
                         document.title, unit.position, unit.text))
            if len(rows) == size:
                yield pd.DataFrame(rows, columns=UNIT_COLUMNS)
                rows = []
    if rows:
        yield pd.DataFrame(rows, columns=UNIT_COLUMNS)


def corpus_frame(folder: Path, manifest: Path | None = None, skipped: list[str] | None = None) -> pd.DataFrame:
    """Every unit of a corpus folder with its document's metadata (the `ingest` output)."""
    chunks = list(corpus_chunks(folder, manifest=manifest, skipped=skipped))
    return pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=UNIT_COLUMNS)


def document_batches(documents: Sequence[Document], units: int = 5_000) -> Iterator[list[Document]]:
    """Documents grouped into runs of about `units` units each (estimated from file size), in order."""
    batch, size = [], 0
    for document in documents:
        batch.append(document)
        size += document.path.stat().st_size // BYTES_PER_UNIT
        if size >= units:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch
